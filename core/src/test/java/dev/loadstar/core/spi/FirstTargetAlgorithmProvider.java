package dev.loadstar.core.spi;

import dev.loadstar.core.BalancingAlgorithm;
import dev.loadstar.core.RegisteredTarget;
import dev.loadstar.core.TargetSelector;
import java.util.List;

/**
 * A test provider registered through {@code META-INF/services}: {@code first_target} always picks the first
 * routable target.
 */
public final class FirstTargetAlgorithmProvider implements BalancingAlgorithmProvider {

  @Override
  public String name() {
    return "first_target";
  }

  @Override
  public BalancingAlgorithm create() {
    return new BalancingAlgorithm() {
      @Override
      public String name() {
        return "first_target";
      }

      @Override
      public TargetSelector newSelector(List<RegisteredTarget> targets) {
        RegisteredTarget first = targets.get(0);
        return ctx -> first;
      }
    };
  }
}
