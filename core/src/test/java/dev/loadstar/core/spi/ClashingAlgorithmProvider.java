package dev.loadstar.core.spi;

import dev.loadstar.core.BalancingAlgorithm;

/**
 * A test provider that claims a built-in name; built-ins win, so it is never used.
 */
public final class ClashingAlgorithmProvider implements BalancingAlgorithmProvider {

  @Override
  public String name() {
    return "round_robin";
  }

  @Override
  public BalancingAlgorithm create(ProviderContext context) {
    throw new AssertionError("a provider must not shadow a built-in algorithm");
  }
}
