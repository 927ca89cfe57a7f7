package dev.loadstar.core;

import dev.loadstar.core.internal.algorithm.Algorithms;
import dev.loadstar.core.spi.ProviderContext;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * A balancing strategy: stateless itself, it makes a stateful {@link TargetSelector} over an immutable list of
 * routable targets. A target group makes a new selector whenever its membership, health or weights change.
 *
 * <p>Built-ins are available through the static factories and by name ({@link #byName}, {@link #create}); more
 * can be plugged in through {@link dev.loadstar.core.spi.BalancingAlgorithmProvider}. Every built-in selector is lock-free,
 * allocation-free and O(1) or O(log n) in the number of targets (see {@code docs/architecture.md}).
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

  /**
   * Whether a group using the algorithm may have sticky sessions (ALB: every algorithm but {@code weighted_random}).
   */
  default boolean supportsStickiness() {
    return true;
  }

  /**
   * Whether the algorithm selects by {@link SelectionContext#hashKey()} (consistent hashing), so front ends should
   * compute the group's {@link TargetGroupConfig#hashKey()} for each request.
   */
  default boolean usesHashKey() {
    return false;
  }

  /** Whether the algorithm uses in-flight counts, so in-flight changes matter to it. */
  default boolean usesInFlight() {
    return false;
  }

  /**
   * Whether the group cuts the weight of targets that anomaly detection finds anomalous (ALB's
   * {@code load_balancing.algorithm.anomaly_mitigation}; only {@code weighted_random} offers it).
   */
  default boolean anomalyMitigation() {
    return false;
  }

  /** ALB's {@code round_robin}: smooth weighted round robin; supports slow start. */
  static BalancingAlgorithm roundRobin() {
    return Algorithms.ROUND_ROBIN;
  }

  /**
   * ALB's {@code least_outstanding_requests}: the target with the fewest requests in flight (relative to its
   * weight), ties broken round robin. Exact up to 64 targets; beyond that
   * the least loaded of a rotating window of that many targets.
   */
  static BalancingAlgorithm leastOutstandingRequests() {
    return Algorithms.LEAST_OUTSTANDING_REQUESTS;
  }

  /** ALB's {@code weighted_random} with anomaly mitigation off (ALB's default). */
  static BalancingAlgorithm weightedRandom() {
    return Algorithms.WEIGHTED_RANDOM;
  }

  /**
   * ALB's {@code weighted_random}; with {@code anomalyMitigation} on, targets found anomalous get their weight cut
   * until they recover ({@code load_balancing.algorithm.anomaly_mitigation}).
   */
  static BalancingAlgorithm weightedRandom(boolean anomalyMitigation) {
    return anomalyMitigation ? Algorithms.WEIGHTED_RANDOM_MITIGATED : Algorithms.WEIGHTED_RANDOM;
  }

  /** {@code power_of_two_choices}: two random targets, the one with fewer requests in flight. */
  static BalancingAlgorithm powerOfTwoChoices() {
    return Algorithms.POWER_OF_TWO_CHOICES;
  }

  /**
   * {@code peak_ewma}: two random targets, the one with the lower peak-EWMA latency x (in-flight + 1); a target
   * without a latency sample yet is compared by in-flight count only.
   */
  static BalancingAlgorithm peakEwma() {
    return Algorithms.PEAK_EWMA;
  }

  /**
   * {@code ring_hash}: consistent hashing of {@link SelectionContext#hashKey()} on a ring of virtual nodes
   * (weighted); when a target leaves, only its keys move. Requests without a key go to a random target.
   */
  static BalancingAlgorithm ringHash() {
    return Algorithms.RING_HASH;
  }

  /**
   * {@code maglev}: consistent hashing of {@link SelectionContext#hashKey()} through a Maglev lookup table
   * (weighted, O(1), near-perfect balance; a few keys beyond the leaving target's move). Requests without a key go
   * to a random target.
   */
  static BalancingAlgorithm maglev() {
    return Algorithms.MAGLEV;
  }

  /**
   * The algorithm of that name ({@code load_balancing.algorithm.type}), without parameters: a built-in, else one made
   * by a {@link dev.loadstar.core.spi.BalancingAlgorithmProvider} on the class path. An unknown name fails with
   * {@code load_balancing.algorithm.type: "name" (expected: one of <every known name>)}.
   */
  static BalancingAlgorithm byName(String name) {
    return Algorithms.REGISTRY.create(name, ProviderContext.empty());
  }

  /**
   * The algorithm of that name made with parameters (e.g. {@code weighted_random} with
   * {@code {"anomaly_mitigation": true}}); a bad or unknown parameter fails with {@code name: value (expected: ...)}.
   */
  static BalancingAlgorithm create(String name, JsonObject params) {
    return Algorithms.REGISTRY.create(name, new ProviderContext(params));
  }
}
