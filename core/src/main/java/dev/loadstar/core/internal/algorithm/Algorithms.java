package dev.loadstar.core.internal.algorithm;

import dev.loadstar.core.BalancingAlgorithm;
import dev.loadstar.core.spi.BalancingAlgorithmProvider;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * The built-in algorithms and the name lookup: built-ins first, then {@link ServiceLoader} providers (a provider
 * whose name clashes with a built-in is never used).
 */
public final class Algorithms {

  /** Targets up to which least outstanding requests scans every target; beyond, a window of this many. */
  public static final int LOR_EXACT_SCAN_LIMIT = 64;

  /** Shared round-robin strategy. */
  public static final BalancingAlgorithm ROUND_ROBIN = new RoundRobin();
  /** Shared least-outstanding-requests strategy. */
  public static final BalancingAlgorithm LEAST_OUTSTANDING_REQUESTS =
      new LeastOutstandingRequests(LOR_EXACT_SCAN_LIMIT);
  /** Shared weighted-random strategy without anomaly mitigation. */
  public static final BalancingAlgorithm WEIGHTED_RANDOM = new WeightedRandom(false);
  /** Shared weighted-random strategy with anomaly mitigation. */
  public static final BalancingAlgorithm WEIGHTED_RANDOM_MITIGATED = new WeightedRandom(true);
  /** Shared power-of-two-choices strategy (in-flight counts). */
  public static final BalancingAlgorithm POWER_OF_TWO_CHOICES = new PowerOfTwoChoices(false);
  /** Shared peak-EWMA strategy (power of two choices by latency x load). */
  public static final BalancingAlgorithm PEAK_EWMA = new PowerOfTwoChoices(true);
  /** Shared ring-hash strategy. */
  public static final BalancingAlgorithm RING_HASH = new RingHash();
  /** Shared Maglev strategy. */
  public static final BalancingAlgorithm MAGLEV = new Maglev();

  private static final Map<String, BalancingAlgorithm> BUILT_INS;

  static {
    Map<String, BalancingAlgorithm> m = new LinkedHashMap<>();
    for (BalancingAlgorithm a : List.of(ROUND_ROBIN, LEAST_OUTSTANDING_REQUESTS, WEIGHTED_RANDOM,
        POWER_OF_TWO_CHOICES, PEAK_EWMA, RING_HASH, MAGLEV)) {
      m.put(a.name(), a);
    }
    BUILT_INS = Collections.unmodifiableMap(m);
  }

  private Algorithms() {
  }

  /**
   * A least-outstanding-requests strategy with another exact-scan limit (for measurements: a limit of
   * {@code Integer.MAX_VALUE} scans every target).
   */
  public static BalancingAlgorithm leastOutstandingRequests(int exactScanLimit) {
    if (exactScanLimit < 1) {
      throw new IllegalArgumentException("exactScanLimit: " + exactScanLimit + " (expected: >= 1)");
    }
    return new LeastOutstandingRequests(exactScanLimit);
  }

  /** The algorithm with the given name, or an error listing the known names. */
  public static BalancingAlgorithm byName(String name) {
    if (name == null) {
      throw new IllegalArgumentException("load_balancing.algorithm.type: null (expected: one of " + names() + ")");
    }
    BalancingAlgorithm builtIn = BUILT_INS.get(name);
    if (builtIn != null) {
      return builtIn;
    }
    for (BalancingAlgorithmProvider p : ServiceLoader.load(BalancingAlgorithmProvider.class)) {
      if (name.equals(p.name())) {
        BalancingAlgorithm a = p.create();
        if (a == null) {
          throw new IllegalStateException("load_balancing.algorithm.type: " + name + " (provider "
              + p.getClass().getName() + " created no algorithm)");
        }
        return a;
      }
    }
    throw new IllegalArgumentException("load_balancing.algorithm.type: " + name + " (expected: one of " + names()
        + ")");
  }

  /** The names of the built-ins, then of every provider on the class path, without duplicates. */
  public static String names() {
    List<String> names = new ArrayList<>(BUILT_INS.keySet());
    for (BalancingAlgorithmProvider p : ServiceLoader.load(BalancingAlgorithmProvider.class)) {
      if (!names.contains(p.name())) {
        names.add(p.name());
      }
    }
    return String.join(", ", names);
  }
}
