package dev.loadstar.core.spi;

import dev.loadstar.core.discovery.TargetSource;
import dev.loadstar.core.internal.discovery.TargetSources;

/**
 * Makes a type of {@link TargetSource} available to configuration by name (a discovery source's {@code type}):
 * list the implementation in {@code META-INF/services/dev.loadstar.core.spi.TargetSourceProvider}. Found by
 * {@link TargetSource#create} after the built-in types ({@code static}, {@code dns}, {@code file}), whose names it
 * cannot take. {@link #create} gets the source's entry without {@code type} and {@code name}; it validates
 * everything and starts nothing ({@link TargetSource#start} does).
 */
public interface TargetSourceProvider extends Provider<ProviderContext, TargetSource> {

  /** The source types by name: the built-ins, then the providers on the class path (see {@link ProviderRegistry}). */
  static ProviderRegistry<ProviderContext, TargetSource, TargetSourceProvider> registry() {
    return TargetSources.REGISTRY;
  }
}
