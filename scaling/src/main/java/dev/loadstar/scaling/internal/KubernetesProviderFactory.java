package dev.loadstar.scaling.internal;

import dev.loadstar.scaling.providers.KubernetesProvider;
import dev.loadstar.scaling.spi.InstanceProvider;
import dev.loadstar.scaling.spi.InstanceProviderFactory;
import dev.loadstar.core.time.TimeSource;
import io.vertx.core.Vertx;

/** Creates the {@link KubernetesProvider} for the {@code ServiceLoader}. */
public final class KubernetesProviderFactory implements InstanceProviderFactory {

  /** For the {@code ServiceLoader}. */
  public KubernetesProviderFactory() {
  }

  @Override
  public String name() {
    return KubernetesProvider.NAME;
  }

  @Override
  public InstanceProvider create(Vertx vertx) {
    return create(vertx, TimeSource.system(vertx));
  }

  @Override
  public InstanceProvider create(Vertx vertx, TimeSource time) {
    return new KubernetesProvider(vertx, time);
  }
}
