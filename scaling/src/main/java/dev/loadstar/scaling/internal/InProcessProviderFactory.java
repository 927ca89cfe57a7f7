package dev.loadstar.scaling.internal;

import dev.loadstar.scaling.providers.InProcessProvider;
import dev.loadstar.scaling.spi.InstanceProvider;
import dev.loadstar.scaling.spi.InstanceProviderFactory;
import io.vertx.core.Vertx;

/** Creates the {@link InProcessProvider} for the {@code ServiceLoader}. */
public final class InProcessProviderFactory implements InstanceProviderFactory {

  /** For the {@code ServiceLoader}. */
  public InProcessProviderFactory() {
  }

  @Override
  public String name() {
    return InProcessProvider.NAME;
  }

  @Override
  public InstanceProvider create(Vertx vertx) {
    return new InProcessProvider(vertx);
  }
}
