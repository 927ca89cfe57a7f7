package dev.loadstar.core.internal.discovery;

import dev.loadstar.core.config.Params;
import dev.loadstar.core.discovery.DnsSourceOptions;
import dev.loadstar.core.discovery.FileSourceOptions;
import dev.loadstar.core.discovery.TargetSource;
import dev.loadstar.core.config.Checks;
import dev.loadstar.core.spi.TargetSourceProvider;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.function.Function;

/**
 * The built-in source types and the lookup by type name (built-ins first, then {@link ServiceLoader} providers).
 */
public final class TargetSources {

  private static final Map<String, Function<JsonObject, TargetSource>> BUILT_INS = new LinkedHashMap<>();

  static {
    BUILT_INS.put(StaticTargetSource.TYPE, StaticTargetSource::fromJson);
    BUILT_INS.put(DnsTargetSource.TYPE, p -> new DnsTargetSource(new DnsSourceOptions(p)));
    BUILT_INS.put(FileTargetSource.TYPE, p -> new FileTargetSource(new FileSourceOptions(p)));
  }

  private TargetSources() {
  }

  /** A source of the given type from its parameters, or an error naming the type and listing the known ones. */
  public static TargetSource create(String type, JsonObject params) {
    if (type == null) {
      throw Checks.invalid("type", "null", "one of " + String.join(", ", types()));
    }
    JsonObject p = params == null ? new JsonObject() : params;
    Function<JsonObject, TargetSource> builtIn = BUILT_INS.get(type);
    if (builtIn != null) {
      return builtIn.apply(p);
    }
    for (TargetSourceProvider provider : ServiceLoader.load(TargetSourceProvider.class)) {
      if (type.equals(provider.type())) {
        TargetSource source = provider.create(p);
        if (source == null) {
          throw new IllegalStateException("TargetSourceProvider " + provider.getClass().getName()
              + " returned no source for type " + type);
        }
        return source;
      }
    }
    throw Checks.invalid("type", Params.render(type), "one of " + String.join(", ", types()));
  }

  /** The built-in type names, then those of every provider on the class path. */
  public static Set<String> types() {
    Set<String> names = new LinkedHashSet<>(BUILT_INS.keySet());
    for (TargetSourceProvider provider : ServiceLoader.load(TargetSourceProvider.class)) {
      names.add(provider.type());
    }
    return names;
  }
}
