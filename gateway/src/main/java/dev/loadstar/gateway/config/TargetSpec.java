package dev.loadstar.gateway.config;

import dev.loadstar.gateway.FunctionRegistry;

import dev.loadstar.core.Balancer;
import dev.loadstar.core.Target;
import dev.loadstar.core.TargetFunction;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * A validated target of a configuration file. An {@code instance} or {@code ip} target is complete ({@link #target()});
 * a {@code lambda} target names a function of a {@link FunctionRegistry} and an {@code alb} target names a listener or
 * a target group of the same file, so both are made into {@link Target}s when the gateway starts ({@link #build}).
 *
 * @param path where the target is in the file, e.g. {@code targetGroups[0].targets[1]}
 * @param id the target id
 * @param kind the kind
 * @param target the target, for {@code instance} and {@code ip} kinds (else null)
 * @param function the function name, for a {@code lambda} target (else null)
 * @param listener the listener a balancer target hands requests to (else null)
 * @param targetGroup the target group a balancer target hands requests to (else null)
 * @param weight the weight
 * @param zone the availability zone, or null
 * @param metadata free-form metadata
 * @param healthCheckEnabled whether active health checks apply (function targets; null: the kind's default)
 */
public record TargetSpec(String path, String id, Target.Kind kind, Target target, String function, String listener,
    String targetGroup, int weight, String zone, Map<String, String> metadata, Boolean healthCheckEnabled) {

  /** Copies the metadata. */
  public TargetSpec {
    Objects.requireNonNull(kind, "kind");
    metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
  }

  /** An {@code instance} or {@code ip} target. */
  public static TargetSpec of(String path, Target target) {
    return new TargetSpec(path, target.id(), target.kind(), target, null, null, null, target.weight(), target.zone(),
        target.metadata(), null);
  }

  /** Whether this is a balancer ({@code alb}) target, made once the listeners exist. */
  public boolean isBalancer() {
    return kind == Target.Kind.BALANCER;
  }

  /**
   * The target: as configured for {@code instance} and {@code ip}; with the function of {@code functions} for a
   * {@code lambda} target; with the named listener or group for an {@code alb} target. Fails with
   * {@code path.function: "x" (expected: ...)} when a name is unknown.
   */
  public Target build(FunctionRegistry functions, Function<String, ? extends Balancer> listeners,
      Function<String, ? extends Balancer> targetGroups) {
    Target.Builder b;
    switch (kind) {
      case FUNCTION: {
        TargetFunction f = functions.get(function);
        if (f == null) {
          throw new IllegalArgumentException(path + ".function: \"" + function + "\" (expected: a function of the "
              + "gateway's registry (" + String.join(", ", functions.names()) + "))");
        }
        b = Target.functionBuilder(id, f);
        if (healthCheckEnabled != null) {
          b.healthCheckEnabled(healthCheckEnabled);
        }
        break;
      }
      case BALANCER: {
        Balancer delegate = listener != null ? listeners.apply(listener) : targetGroups.apply(targetGroup);
        if (delegate == null) {
          throw new IllegalArgumentException(path + (listener != null ? ".listener: \"" + listener
              : ".targetGroup: \"" + targetGroup) + "\" (expected: a " + (listener != null ? "listener"
              : "target group") + " of the gateway)");
        }
        b = Target.balancerBuilder(id, delegate);
        break;
      }
      default:
        return target;
    }
    return b.weight(weight).zone(zone).metadata(metadata).build();
  }
}
