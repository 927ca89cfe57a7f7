package dev.loadstar.scaling.internal;

import dev.loadstar.scaling.providers.ProcessProvider;
import dev.loadstar.scaling.spi.InstanceProvider;
import dev.loadstar.scaling.spi.InstanceProviderFactory;
import dev.loadstar.core.time.TimeSource;
import io.vertx.core.Vertx;
import java.util.List;

/** Creates the {@link ProcessProvider} for the {@code ServiceLoader}. */
public final class ProcessProviderFactory implements InstanceProviderFactory {

  /** For the {@code ServiceLoader}. */
  public ProcessProviderFactory() {
  }

  @Override
  public String name() {
    return ProcessProvider.NAME;
  }

  @Override
  public InstanceProvider create(Vertx vertx) {
    return create(vertx, TimeSource.system(vertx));
  }

  @Override
  public InstanceProvider create(Vertx vertx, TimeSource time) {
    return new ProcessProvider(vertx, List.of(), time);
  }
}
