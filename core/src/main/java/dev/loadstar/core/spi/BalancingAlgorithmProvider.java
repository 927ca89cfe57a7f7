package dev.loadstar.core.spi;

import dev.loadstar.core.BalancingAlgorithm;
import dev.loadstar.core.internal.algorithm.Algorithms;

/**
 * Makes a named {@link BalancingAlgorithm} available to configuration ({@code load_balancing.algorithm.type}):
 * list the implementation in {@code META-INF/services/dev.loadstar.core.spi.BalancingAlgorithmProvider}. Found by
 * {@link BalancingAlgorithm#byName} and {@link BalancingAlgorithm#create} after the built-ins, whose names it
 * cannot take.
 */
public interface BalancingAlgorithmProvider extends Provider<ProviderContext, BalancingAlgorithm> {

  /** The algorithms by name: the built-ins, then the providers on the class path (see {@link ProviderRegistry}). */
  static ProviderRegistry<ProviderContext, BalancingAlgorithm, BalancingAlgorithmProvider> registry() {
    return Algorithms.REGISTRY;
  }
}
