package dev.loadstar.gateway.internal.config;

import dev.loadstar.core.RegisteredTarget;
import dev.loadstar.core.TargetGroup;
import java.util.function.DoubleSupplier;
import java.util.function.Function;

/**
 * The metrics a declarative step-scaling policy can follow, computed from a target group: requests completed per
 * routable target since the previous sample ({@code ALBRequestCountPerTarget}) and requests in flight per routable
 * target ({@code AverageOutstandingRequestsPerTarget}). NaN means no data (no routable target, no baseline yet).
 */
public final class PolicyMetrics {

  private PolicyMetrics() {
  }

  /** A supplier for the metric of the named group, found through {@code lookup} when sampled. */
  public static DoubleSupplier supplier(String metric, String groupName, Function<String, TargetGroup> lookup) {
    if (metric.equals("ALBRequestCountPerTarget")) {
      return new DoubleSupplier() {
        private long last = -1;

        @Override
        public double getAsDouble() {
          TargetGroup g = lookup.apply(groupName);
          if (g == null) {
            return Double.NaN;
          }
          long total = 0;
          int routable = 0;
          for (RegisteredTarget t : g.targets()) {
            total += t.requestCount();
            if (t.isActive() && t.health().isRoutable()) {
              routable++;
            }
          }
          long previous = last;
          last = total;
          if (previous < 0 || routable == 0) {
            return Double.NaN;
          }
          return Math.max(0, total - previous) / (double) routable;
        }
      };
    }
    return () -> {
      TargetGroup g = lookup.apply(groupName);
      if (g == null) {
        return Double.NaN;
      }
      long inFlight = 0;
      int routable = 0;
      for (RegisteredTarget t : g.targets()) {
        if (t.isActive() && t.health().isRoutable()) {
          inFlight += t.inFlight();
          routable++;
        }
      }
      return routable == 0 ? Double.NaN : inFlight / (double) routable;
    };
  }
}
