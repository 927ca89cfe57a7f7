package dev.loadstar.scaling.internal;

import dev.loadstar.scaling.providers.InProcessProvider;
import dev.loadstar.scaling.spi.InstanceProvider;
import dev.loadstar.scaling.spi.InstanceProviderContext;
import dev.loadstar.scaling.spi.InstanceProviderFactory;
import java.util.List;

/**
 * Makes the {@link InProcessProvider}. Parameter: {@code zones} (an array of availability zone names, default none).
 */
public final class InProcessProviderFactory implements InstanceProviderFactory {

  /** For the {@code ServiceLoader}. */
  public InProcessProviderFactory() {
  }

  @Override
  public String name() {
    return InProcessProvider.NAME;
  }

  @Override
  public InstanceProvider create(InstanceProviderContext context) {
    List<String> zones = Zones.read(context.params());
    context.params().rejectUnknown();
    return new InProcessProvider(context.vertx(), zones, context.time());
  }
}
