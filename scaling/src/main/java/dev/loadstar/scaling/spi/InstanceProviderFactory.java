package dev.loadstar.scaling.spi;

import dev.loadstar.core.spi.Provider;
import dev.loadstar.core.spi.ProviderRegistry;
import dev.loadstar.scaling.internal.Providers;

/**
 * Makes an {@link InstanceProvider} available to launch templates by name ({@code launchTemplate.provider}): list
 * the implementation in {@code META-INF/services/dev.loadstar.scaling.spi.InstanceProviderFactory}. Found after the
 * built-ins ({@code in-process}, {@code process}, {@code kubernetes}), whose names it cannot take. A scaling group
 * that looks a provider up by name makes it with its own Vert.x instance and time source, and closes it.
 */
public interface InstanceProviderFactory extends Provider<InstanceProviderContext, InstanceProvider> {

  /** The instance providers by name: the built-ins, then the factories on the class path (see {@link ProviderRegistry}). */
  static ProviderRegistry<InstanceProviderContext, InstanceProvider, InstanceProviderFactory> registry() {
    return Providers.REGISTRY;
  }
}
