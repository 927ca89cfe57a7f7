package dev.loadstar.core.internal.algorithm;

import dev.loadstar.core.BalancingAlgorithm;
import dev.loadstar.core.spi.BalancingAlgorithmProvider;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.function.Supplier;

/**
 * The built-in algorithms and the name lookup (built-ins first, then {@link ServiceLoader} providers).
 */
public final class Algorithms {

  /** Shared round-robin strategy. */
  public static final BalancingAlgorithm ROUND_ROBIN = new RoundRobin();

  private static final Map<String, Supplier<BalancingAlgorithm>> BUILT_INS = new LinkedHashMap<>();

  static {
    BUILT_INS.put(ROUND_ROBIN.name(), () -> ROUND_ROBIN);
  }

  private Algorithms() {
  }

  /** Registers a built-in algorithm name (used by this package only). */
  static void builtIn(String name, Supplier<BalancingAlgorithm> supplier) {
    BUILT_INS.put(name, supplier);
  }

  /** The algorithm with the given name, or an error listing the known names. */
  public static BalancingAlgorithm byName(String name) {
    if (name == null) {
      throw new IllegalArgumentException("load_balancing.algorithm.type: null (expected: one of " + names() + ")");
    }
    Supplier<BalancingAlgorithm> builtIn = BUILT_INS.get(name);
    if (builtIn != null) {
      return builtIn.get();
    }
    for (BalancingAlgorithmProvider p : ServiceLoader.load(BalancingAlgorithmProvider.class)) {
      if (p.name().equals(name)) {
        return p.create();
      }
    }
    throw new IllegalArgumentException("load_balancing.algorithm.type: " + name + " (expected: one of " + names() + ")");
  }

  /** The names of the built-ins and of every provider on the class path. */
  public static String names() {
    StringBuilder sb = new StringBuilder(String.join(", ", BUILT_INS.keySet()));
    for (BalancingAlgorithmProvider p : ServiceLoader.load(BalancingAlgorithmProvider.class)) {
      sb.append(", ").append(p.name());
    }
    return sb.toString();
  }
}
