package dev.loadstar.scaling.internal;

import dev.loadstar.scaling.providers.ProcessProvider;
import dev.loadstar.scaling.spi.InstanceProvider;
import dev.loadstar.scaling.spi.InstanceProviderContext;
import dev.loadstar.scaling.spi.InstanceProviderFactory;
import java.util.List;

/**
 * Makes the {@link ProcessProvider}. Parameter: {@code zones} (an array of availability zone names, default none).
 */
public final class ProcessProviderFactory implements InstanceProviderFactory {

  /** For the {@code ServiceLoader}. */
  public ProcessProviderFactory() {
  }

  @Override
  public String name() {
    return ProcessProvider.NAME;
  }

  @Override
  public InstanceProvider create(InstanceProviderContext context) {
    List<String> zones = Zones.read(context.params());
    context.params().rejectUnknown();
    return new ProcessProvider(context.vertx(), zones, context.time());
  }
}
