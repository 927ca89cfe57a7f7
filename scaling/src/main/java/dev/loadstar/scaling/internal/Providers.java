package dev.loadstar.scaling.internal;

import dev.loadstar.core.config.Checks;
import dev.loadstar.scaling.spi.InstanceProvider;
import dev.loadstar.scaling.spi.InstanceProviderFactory;
import dev.loadstar.core.time.TimeSource;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/** Finds instance providers by name through {@link ServiceLoader}. */
public final class Providers {

  private Providers() {
  }

  /** The names of every provider factory on the class path. */
  public static List<String> names() {
    List<String> names = new ArrayList<>();
    for (InstanceProviderFactory f : ServiceLoader.load(InstanceProviderFactory.class, classLoader())) {
      names.add(f.name());
    }
    return names;
  }

  /** A new provider of the given name; fails with the list of known names when there is none. */
  public static InstanceProvider create(String name, Vertx vertx, TimeSource time) {
    for (InstanceProviderFactory f : ServiceLoader.load(InstanceProviderFactory.class, classLoader())) {
      if (f.name().equals(name)) {
        return f.create(vertx, time);
      }
    }
    throw Checks.invalid("launchTemplate.provider", "\"" + name + "\"", "one of " + names());
  }

  private static ClassLoader classLoader() {
    ClassLoader cl = Thread.currentThread().getContextClassLoader();
    return cl != null ? cl : Providers.class.getClassLoader();
  }
}
