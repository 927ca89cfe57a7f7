package dev.loadstar.scaling.internal.k8s;

import dev.loadstar.core.discovery.TargetSource;
import dev.loadstar.core.spi.ProviderContext;
import dev.loadstar.core.spi.TargetSourceProvider;
import dev.loadstar.scaling.discovery.KubernetesSourceOptions;

/** Makes the {@code kubernetes} target source available by name to the {@code ServiceLoader}. */
public final class KubernetesTargetSourceProvider implements TargetSourceProvider {

  /** For the {@code ServiceLoader}. */
  public KubernetesTargetSourceProvider() {
  }

  @Override
  public String name() {
    return EndpointSliceTargetSource.TYPE;
  }

  @Override
  public TargetSource create(ProviderContext context) {
    return new EndpointSliceTargetSource(new KubernetesSourceOptions(context.json()), null);
  }
}
