package dev.loadstar.healthcheck;

import dev.loadstar.core.RegisteredTarget;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetHealth;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Micrometer gauges for a target group's health, named as ALB's CloudWatch metrics and tagged
 * {@code target_group=<name>}:
 * <ul>
 *   <li>{@code HealthyHostCount}: targets that receive traffic in normal operation ({@code healthy}, or
 *   {@code unavailable} in a group without active checks);</li>
 *   <li>{@code UnHealthyHostCount}: targets that are {@code unhealthy} (failed checks or ejected).</li>
 * </ul>
 * Targets that are {@code initial} or {@code draining} count in neither. The gauges read the group's current
 * snapshot when sampled. {@link #close()} removes them from every registry they were bound to.
 */
public final class HealthMetrics implements MeterBinder, AutoCloseable {

  /** The gauge of healthy targets. */
  public static final String HEALTHY_HOST_COUNT = "HealthyHostCount";
  /** The gauge of unhealthy targets. */
  public static final String UNHEALTHY_HOST_COUNT = "UnHealthyHostCount";
  /** The tag carrying the group name. */
  public static final String TAG_TARGET_GROUP = "target_group";

  private final TargetGroup group;
  private final List<Registration> registrations = new ArrayList<>();

  private record Registration(MeterRegistry registry, List<Meter> meters) {
  }

  /** Gauges for this group, not bound yet. */
  public HealthMetrics(TargetGroup group) {
    this.group = Objects.requireNonNull(group, "group");
  }

  /** Gauges for this group, bound to the registry. */
  public static HealthMetrics bind(TargetGroup group, MeterRegistry registry) {
    HealthMetrics m = new HealthMetrics(group);
    m.bindTo(registry);
    return m;
  }

  @Override
  public synchronized void bindTo(MeterRegistry registry) {
    Objects.requireNonNull(registry, "registry");
    List<Meter> meters = List.of(
        Gauge.builder(HEALTHY_HOST_COUNT, this, HealthMetrics::healthyHostCount)
            .tag(TAG_TARGET_GROUP, group.name()).strongReference(true)
            .description("Targets receiving traffic in normal operation").register(registry),
        Gauge.builder(UNHEALTHY_HOST_COUNT, this, HealthMetrics::unhealthyHostCount)
            .tag(TAG_TARGET_GROUP, group.name()).strongReference(true)
            .description("Targets failing health checks or ejected by outlier detection").register(registry));
    registrations.add(new Registration(registry, meters));
  }

  /** The current number of healthy targets. */
  public double healthyHostCount() {
    int n = 0;
    for (RegisteredTarget t : group.targets()) {
      if (t.isActive() && t.health().isRoutable()) {
        n++;
      }
    }
    return n;
  }

  /** The current number of unhealthy targets. */
  public double unhealthyHostCount() {
    int n = 0;
    for (RegisteredTarget t : group.targets()) {
      if (t.isActive() && t.health().state() == TargetHealth.State.UNHEALTHY) {
        n++;
      }
    }
    return n;
  }

  /** Removes the gauges from every registry; idempotent. */
  @Override
  public synchronized void close() {
    for (Registration r : registrations) {
      for (Meter m : r.meters()) {
        r.registry().remove(m);
      }
    }
    registrations.clear();
  }
}
