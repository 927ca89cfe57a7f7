package dev.loadstar.core.internal.discovery;

import dev.loadstar.core.discovery.DnsSourceOptions;
import dev.loadstar.core.discovery.FileSourceOptions;
import dev.loadstar.core.discovery.TargetSource;
import dev.loadstar.core.spi.ProviderContext;
import dev.loadstar.core.spi.ProviderRegistry;
import dev.loadstar.core.spi.TargetSourceProvider;
import java.util.List;
import java.util.function.Function;

/** The built-in source types and the registry of every type (built-ins first, then {@code ServiceLoader} providers). */
public final class TargetSources {

  /** The source types by {@code type}. */
  public static final ProviderRegistry<ProviderContext, TargetSource, TargetSourceProvider> REGISTRY =
      ProviderRegistry.of(TargetSourceProvider.class, "type", List.of(
          new BuiltIn(StaticTargetSource.TYPE, c -> StaticTargetSource.fromJson(c.json())),
          new BuiltIn(DnsTargetSource.TYPE, c -> new DnsTargetSource(new DnsSourceOptions(c.json()))),
          new BuiltIn(FileTargetSource.TYPE, c -> new FileTargetSource(new FileSourceOptions(c.json())))));

  /** A built-in type's provider. */
  private record BuiltIn(String name, Function<ProviderContext, TargetSource> make) implements TargetSourceProvider {
    @Override
    public TargetSource create(ProviderContext context) {
      return make.apply(context);
    }
  }

  private TargetSources() {
  }
}
