package dev.loadstar.core;

import dev.loadstar.core.internal.algorithm.Algorithms;
import java.util.List;

/**
 * A balancing strategy: stateless itself, it makes a stateful {@link TargetSelector} over an immutable list of
 * routable targets. A target group makes a new selector whenever its membership, health or weights change.
 *
 * <p>Built-ins are available through the static factories and by name ({@link #byName}); more can be plugged
 * in through {@link dev.loadstar.core.spi.BalancingAlgorithmProvider}.
 */
public interface BalancingAlgorithm {

  /** The name this algorithm is configured by, e.g. {@code round_robin}. */
  String name();

  /** A selector over the given targets (never empty; the list must not be modified afterwards). */
  TargetSelector newSelector(List<RegisteredTarget> targets);

  /** Whether the algorithm honours slow start (ALB: only {@code round_robin}). */
  default boolean supportsSlowStart() {
    return false;
  }

  /** Whether the algorithm uses in-flight counts, so in-flight changes matter to it. */
  default boolean usesInFlight() {
    return false;
  }

  /** ALB's {@code round_robin}: smooth weighted round robin. */
  static BalancingAlgorithm roundRobin() {
    return Algorithms.ROUND_ROBIN;
  }

  /** Looks up an algorithm by name among the built-ins and the {@code ServiceLoader} providers. */
  static BalancingAlgorithm byName(String name) {
    return Algorithms.byName(name);
  }
}
