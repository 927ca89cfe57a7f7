package dev.loadstar.core.spi;

import dev.loadstar.core.BalancingAlgorithm;

/**
 * Makes a named {@link BalancingAlgorithm} available to configuration; found through {@link java.util.ServiceLoader}.
 *
 * <p>Register an implementation in {@code META-INF/services/dev.loadstar.core.spi.BalancingAlgorithmProvider}.
 */
public interface BalancingAlgorithmProvider {

  /** The algorithm name, e.g. {@code my_algorithm}; must not clash with a built-in name. */
  String name();

  /** A new instance of the algorithm. */
  BalancingAlgorithm create();
}
