package dev.loadstar.samples.extension;

import dev.loadstar.core.BalancingAlgorithm;
import dev.loadstar.core.RegisteredTarget;
import dev.loadstar.core.TargetSelector;
import dev.loadstar.core.config.Checks;
import dev.loadstar.core.config.Params;
import dev.loadstar.core.spi.BalancingAlgorithmProvider;
import dev.loadstar.core.spi.ProviderContext;
import java.util.Comparator;
import java.util.List;

/**
 * The {@code sticky_first} algorithm: active/standby. Every request goes to one target, the first routable one in a
 * fixed order; when it leaves (deregistered, unhealthy, draining) the next one takes everything. The order is the
 * parameter {@code order}: {@code id} (the default: target ids in string order) or {@code weight} (the heaviest
 * first, ties by id).
 *
 * <p>The group builds a new selector whenever membership, health or weights change, so the selector just keeps the
 * target it picked: {@code select} is one field read, lock-free and allocation-free, as the SPI asks.
 */
public final class StickyFirstProvider implements BalancingAlgorithmProvider {

  /** The algorithm's name. */
  public static final String NAME = "sticky_first";

  private static final Comparator<RegisteredTarget> BY_ID = Comparator.comparing(t -> t.target().id());
  private static final Comparator<RegisteredTarget> BY_WEIGHT =
      Comparator.comparingInt((RegisteredTarget t) -> t.target().weight()).reversed().thenComparing(BY_ID);

  /** For the {@code ServiceLoader}. */
  public StickyFirstProvider() {
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public BalancingAlgorithm create(ProviderContext context) {
    Params params = context.params();
    String order = params.string("order");
    params.rejectUnknown();
    if (order == null || order.equals("id")) {
      return new StickyFirst(BY_ID);
    }
    if (order.equals("weight")) {
      return new StickyFirst(BY_WEIGHT);
    }
    throw Checks.invalid("order", Params.render(order), "id or weight");
  }

  /** The strategy: stateless, it picks the first target of each snapshot. */
  private record StickyFirst(Comparator<RegisteredTarget> order) implements BalancingAlgorithm {

    @Override
    public String name() {
      return NAME;
    }

    @Override
    public TargetSelector newSelector(List<RegisteredTarget> targets) {
      RegisteredTarget first = targets.stream().min(order).orElse(null);
      return context -> first;
    }
  }
}
