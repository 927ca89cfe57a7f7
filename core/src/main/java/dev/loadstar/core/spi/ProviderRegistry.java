package dev.loadstar.core.spi;

import dev.loadstar.core.config.Checks;
import dev.loadstar.core.config.InvalidValueException;
import dev.loadstar.core.config.Params;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * The providers of one extension point by name: the built-ins first, then those {@link ServiceLoader} finds.
 *
 * <p>Rules, the same for every extension point:
 * <ul>
 *   <li><b>Class loader:</b> providers are loaded from the class loader of the extension point's interface (the
 *       loader that loaded Loadstar), never from a thread's context class loader, so a lookup gives the same answer
 *       on every thread (event loops, worker pools, test runners). An extension must be on the class path of that
 *       loader; being there is all it needs.</li>
 *   <li><b>Loaded once:</b> {@link ServiceLoader} runs on the first lookup; the providers it instantiated are kept
 *       for the life of the registry, which each extension point keeps in a static field (so, once per class
 *       loader that loaded Loadstar).</li>
 *   <li><b>Built-ins win:</b> a provider whose name is a built-in's is ignored (logged), as is a second provider of
 *       a name already taken; a built-in that is also listed in {@code META-INF/services} counts once. A provider
 *       that cannot be loaded is logged and skipped.</li>
 *   <li><b>Unknown names</b> fail with an {@link InvalidValueException} {@code <field>: "<name>" (expected: one of
 *       <every known name>)}, where the field is the configuration key that names providers of this point.</li>
 * </ul>
 *
 * @param <C> what the providers' {@code create} is given
 * @param <T> what they make
 * @param <P> the extension point's interface
 */
public final class ProviderRegistry<C extends ProviderContext, T, P extends Provider<C, T>> {

  private static final System.Logger LOG = System.getLogger(ProviderRegistry.class.getName());
  /** Load errors after which the {@link ServiceLoader} iteration gives up. */
  private static final int MAX_LOAD_ERRORS = 100;

  private final Class<P> spi;
  private final String field;
  private final List<P> builtIns;
  private volatile Map<String, P> byName;

  private ProviderRegistry(Class<P> spi, String field, List<? extends P> builtIns) {
    this.spi = Checks.notNull("spi", spi);
    this.field = Checks.notBlank("field", field);
    this.builtIns = List.copyOf(builtIns);
  }

  /**
   * A registry of the providers of {@code spi}: the given built-ins, then those on the class path. {@code field} is
   * the configuration key that names providers of this point (e.g. {@code load_balancing.algorithm.type}), used
   * in errors. Nothing is loaded until the first lookup.
   */
  public static <C extends ProviderContext, T, P extends Provider<C, T>> ProviderRegistry<C, T, P> of(
      Class<P> spi, String field, List<? extends P> builtIns) {
    return new ProviderRegistry<>(spi, field, builtIns);
  }

  /** The extension point's interface. */
  public Class<P> spi() {
    return spi;
  }

  /** The configuration key that names providers of this point, as errors show it. */
  public String field() {
    return field;
  }

  /** Every known name: the built-ins' in their order, then the class path's in {@link ServiceLoader} order. */
  public List<String> names() {
    return List.copyOf(providers().keySet());
  }

  /** Whether a provider of that name is known. */
  public boolean contains(String name) {
    return name != null && providers().containsKey(name);
  }

  /** The provider of that name, or an {@link InvalidValueException} listing every known name. */
  public P provider(String name) {
    P p = name == null ? null : providers().get(name);
    if (p == null) {
      throw new InvalidValueException(field, Params.render(name), "one of " + String.join(", ", names()));
    }
    return p;
  }

  /**
   * Makes a product with the named provider. Fails like {@link #provider} for an unknown name, with the provider's
   * own {@link InvalidValueException} for a bad parameter, and with an {@link IllegalStateException} naming the
   * provider class when it makes nothing.
   */
  public T create(String name, C context) {
    Objects.requireNonNull(context, "context");
    P p = provider(name);
    T made = p.create(context);
    if (made == null) {
      throw new IllegalStateException(field + ": " + Params.render(name) + " (provider " + p.getClass().getName()
          + " made nothing)");
    }
    return made;
  }

  private Map<String, P> providers() {
    Map<String, P> m = byName;
    if (m == null) {
      synchronized (this) {
        m = byName;
        if (m == null) {
          m = load();
          byName = m;
        }
      }
    }
    return m;
  }

  private Map<String, P> load() {
    Map<String, P> m = new LinkedHashMap<>();
    for (P p : builtIns) {
      if (m.putIfAbsent(p.name(), p) != null) {
        throw new IllegalStateException(spi.getSimpleName() + ": two built-ins named " + p.name());
      }
    }
    Iterator<P> it = ServiceLoader.load(spi, spi.getClassLoader()).iterator();
    for (int errors = 0; errors < MAX_LOAD_ERRORS;) {
      P p;
      String name;
      try {
        if (!it.hasNext()) {
          break;
        }
        p = it.next();
        name = p.name();
      } catch (ServiceConfigurationError | RuntimeException e) {
        errors++;
        LOG.log(System.Logger.Level.WARNING, spi.getSimpleName() + ": a provider could not be loaded; skipped", e);
        continue;
      }
      P taken = m.get(name);
      if (taken == null && name != null && !name.isBlank()) {
        m.put(name, p);
      } else if (taken == null || taken.getClass() != p.getClass()) {
        LOG.log(System.Logger.Level.WARNING, spi.getSimpleName() + " " + p.getClass().getName() + " is ignored: "
            + (taken == null ? "it has no name" : "the name " + name + " is taken by "
            + (builtIns.contains(taken) ? "a built-in" : taken.getClass().getName())));
      }
    }
    return Collections.unmodifiableMap(m);
  }

  @Override
  public String toString() {
    return "ProviderRegistry{" + spi.getSimpleName() + ", " + field + "}";
  }
}
