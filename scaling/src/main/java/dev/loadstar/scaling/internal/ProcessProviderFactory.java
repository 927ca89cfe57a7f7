package dev.loadstar.scaling.internal;

import dev.loadstar.scaling.providers.ProcessProvider;
import dev.loadstar.scaling.spi.InstanceProvider;
import dev.loadstar.scaling.spi.InstanceProviderFactory;
import io.vertx.core.Vertx;

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
    return new ProcessProvider(vertx);
  }
}
