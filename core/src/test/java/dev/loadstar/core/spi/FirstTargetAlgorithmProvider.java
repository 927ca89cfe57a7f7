package dev.loadstar.core.spi;

import dev.loadstar.core.BalancingAlgorithm;
import dev.loadstar.core.RegisteredTarget;
import dev.loadstar.core.TargetSelector;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test provider registered through {@code META-INF/services}: {@code first_target} always picks the first
 * routable target.
 */
public final class FirstTargetAlgorithmProvider implements BalancingAlgorithmProvider {

  /** How many instances were made (the registry makes one, however often it is asked). */
  static final AtomicInteger INSTANCES = new AtomicInteger();

  /** For the {@code ServiceLoader}. */
  public FirstTargetAlgorithmProvider() {
    INSTANCES.incrementAndGet();
  }

  @Override
  public String name() {
    return "first_target";
  }

  @Override
  public BalancingAlgorithm create(ProviderContext context) {
    context.params().rejectUnknown();
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
