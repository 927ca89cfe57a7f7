package dev.loadstar.core.spi;

import dev.loadstar.core.BalancingAlgorithm;

/** A test provider listed after {@link FirstTargetAlgorithmProvider} under the same name: the first one wins. */
public final class SecondFirstTargetProvider implements BalancingAlgorithmProvider {

  @Override
  public String name() {
    return "first_target";
  }

  @Override
  public BalancingAlgorithm create(ProviderContext context) {
    throw new AssertionError("a provider must not take a name another provider has");
  }
}
