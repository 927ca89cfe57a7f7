package dev.loadstar.core.internal.algorithm;

import dev.loadstar.core.BalancingAlgorithm;
import dev.loadstar.core.config.InvalidValueException;
import dev.loadstar.core.config.Params;
import dev.loadstar.core.spi.BalancingAlgorithmProvider;
import dev.loadstar.core.spi.ProviderContext;
import dev.loadstar.core.spi.ProviderRegistry;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.function.Function;

/** The built-in algorithms and their registry (built-ins first, then {@code ServiceLoader} providers). */
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

  /**
   * The algorithms by {@code load_balancing.algorithm.type}: the built-ins, then {@code ServiceLoader} providers.
   * {@code weighted_random} takes the parameter {@code anomaly_mitigation} (true or false); the others none.
   */
  public static final ProviderRegistry<ProviderContext, BalancingAlgorithm, BalancingAlgorithmProvider> REGISTRY =
      ProviderRegistry.of(BalancingAlgorithmProvider.class, "load_balancing.algorithm.type", List.of(
          builtIn(ROUND_ROBIN), builtIn(LEAST_OUTSTANDING_REQUESTS),
          new BuiltIn(WEIGHTED_RANDOM.name(), p -> Boolean.TRUE.equals(p.bool("anomaly_mitigation"))
              ? WEIGHTED_RANDOM_MITIGATED : WEIGHTED_RANDOM, true),
          builtIn(POWER_OF_TWO_CHOICES), builtIn(PEAK_EWMA), builtIn(RING_HASH), builtIn(MAGLEV)));

  /** A built-in algorithm's provider: reads its parameters, refuses others, returns a shared strategy. */
  private record BuiltIn(String name, Function<Params, BalancingAlgorithm> make, boolean takesParameters)
      implements BalancingAlgorithmProvider {
    @Override
    public BalancingAlgorithm create(ProviderContext context) {
      JsonObject given = context.json();
      if (!takesParameters && !given.isEmpty()) {
        String key = given.fieldNames().iterator().next();
        throw new InvalidValueException(key, Params.render(given.getValue(key)), "no parameters for " + name);
      }
      Params p = context.params();
      BalancingAlgorithm a = make.apply(p);
      p.rejectUnknown();
      return a;
    }
  }

  /** A built-in without parameters. */
  private static BuiltIn builtIn(BalancingAlgorithm a) {
    return new BuiltIn(a.name(), p -> a, false);
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

}
