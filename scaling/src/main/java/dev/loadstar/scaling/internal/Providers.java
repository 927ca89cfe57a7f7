package dev.loadstar.scaling.internal;

import dev.loadstar.core.spi.ProviderRegistry;
import dev.loadstar.scaling.spi.InstanceProvider;
import dev.loadstar.scaling.spi.InstanceProviderContext;
import dev.loadstar.scaling.spi.InstanceProviderFactory;
import java.util.List;

/** The registry of instance providers: the built-ins first, then {@code ServiceLoader} factories. */
public final class Providers {

  /** The providers by {@code launchTemplate.provider}. */
  public static final ProviderRegistry<InstanceProviderContext, InstanceProvider, InstanceProviderFactory> REGISTRY =
      ProviderRegistry.of(InstanceProviderFactory.class, "launchTemplate.provider", List.of(
          new InProcessProviderFactory(), new ProcessProviderFactory(), new KubernetesProviderFactory()));

  private Providers() {
  }
}
