package dev.loadstar.scaling.internal;

import dev.loadstar.scaling.providers.KubernetesProvider;
import dev.loadstar.scaling.spi.InstanceProvider;
import dev.loadstar.scaling.spi.InstanceProviderContext;
import dev.loadstar.scaling.spi.InstanceProviderFactory;

/** Makes the {@link KubernetesProvider} with a client configured from the environment. No parameters. */
public final class KubernetesProviderFactory implements InstanceProviderFactory {

  /** For the {@code ServiceLoader}. */
  public KubernetesProviderFactory() {
  }

  @Override
  public String name() {
    return KubernetesProvider.NAME;
  }

  @Override
  public InstanceProvider create(InstanceProviderContext context) {
    context.params().rejectUnknown();
    return new KubernetesProvider(context.vertx(), context.time());
  }
}
