package dev.loadstar.micrometer;

import dev.loadstar.core.RegisteredTarget;
import dev.loadstar.core.RequestOutcome;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetGroupListener;
import dev.loadstar.core.TargetHealth;
import dev.loadstar.core.ZoneHealthDescription;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Micrometer meters for one target group, named as ALB's CloudWatch metrics, for any application that uses a
 * {@link TargetGroup} (a {@code LoadBalancedClient}, a listener, or the gateway).
 *
 * <ul>
 *   <li>per target ({@code target_group}, {@code target}, and {@code availability_zone} for a target with a zone):
 *   {@code RequestCountPerTarget}, {@code TargetResponseTime}, {@code TargetConnectionErrorCount}, and
 *   {@code TargetErrorCount} tagged {@code error} with the failure's {@link RequestOutcome} in lower case
 *   ({@code target_5xx}, {@code connect_failure}, {@code reset}, {@code timeout});</li>
 *   <li>per group ({@code target_group}): {@code HealthyHostCount} (targets receiving traffic in normal operation)
 *   and {@code UnHealthyHostCount} (targets failing checks or ejected); targets that are {@code initial} or
 *   {@code draining} count in neither;</li>
 *   <li>per group and zone ({@code target_group}, {@code availability_zone}): {@code HealthyHostCount} and
 *   {@code UnHealthyHostCount} again, for each zone a target of the group was registered in.</li>
 * </ul>
 *
 * <p>The per-target meters are fed by {@link TargetGroupListener#onRequestEnd}: one map lookup and no allocation on
 * the request's thread. Meters of a target appear when it registers and go when it leaves; the gauges read the
 * group's current snapshot when sampled. {@link #close()} removes every meter from every registry it was bound to.
 */
public final class TargetGroupMetrics implements MeterBinder, AutoCloseable {

  /** Counter of requests sent to a target that ended. */
  public static final String REQUEST_COUNT_PER_TARGET = "RequestCountPerTarget";
  /** Timer from sending a request to a target until its response ended. */
  public static final String TARGET_RESPONSE_TIME = "TargetResponseTime";
  /** Counter of connections to a target that could not be established. */
  public static final String TARGET_CONNECTION_ERROR_COUNT = "TargetConnectionErrorCount";
  /** Counter of requests to a target that failed, tagged with the failure's class. */
  public static final String TARGET_ERROR_COUNT = "TargetErrorCount";
  /** The gauge of healthy targets. */
  public static final String HEALTHY_HOST_COUNT = "HealthyHostCount";
  /** The gauge of unhealthy targets. */
  public static final String UNHEALTHY_HOST_COUNT = "UnHealthyHostCount";
  /** Tag naming the target group. */
  public static final String TAG_TARGET_GROUP = "target_group";
  /** Tag naming the target. */
  public static final String TAG_TARGET = "target";
  /** Tag naming the availability zone (CloudWatch's {@code AvailabilityZone} dimension). */
  public static final String TAG_ZONE = "availability_zone";
  /** Tag naming a failure's class on {@link #TARGET_ERROR_COUNT}. */
  public static final String TAG_ERROR = "error";

  private final TargetGroup group;
  private final List<Binding> bindings = new ArrayList<>();
  private boolean closed;

  /** Meters for this group, not bound yet. */
  public TargetGroupMetrics(TargetGroup group) {
    this.group = Objects.requireNonNull(group, "group");
  }

  /** Meters for this group, bound to the registry. */
  public static TargetGroupMetrics bind(TargetGroup group, MeterRegistry registry) {
    TargetGroupMetrics m = new TargetGroupMetrics(group);
    m.bindTo(registry);
    return m;
  }

  /** The group these meters describe. */
  public TargetGroup group() {
    return group;
  }

  @Override
  public synchronized void bindTo(MeterRegistry registry) {
    Objects.requireNonNull(registry, "registry");
    if (closed) {
      throw new IllegalStateException("metrics of target group " + group.name() + " are closed");
    }
    Binding b = new Binding(registry);
    bindings.add(b);
    b.start();
  }

  /** The current number of healthy targets: routable in normal operation. */
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

  /** Removes every meter from every registry and stops listening to the group; idempotent. */
  @Override
  public synchronized void close() {
    closed = true;
    for (Binding b : bindings) {
      b.close();
    }
    bindings.clear();
  }

  /** The meters of this group in one registry, and the listener that keeps the per-target meters current. */
  private final class Binding implements TargetGroupListener {
    private final MeterRegistry registry;
    private final List<Meter> groupMeters = new CopyOnWriteArrayList<>();
    private final ConcurrentHashMap<RegisteredTarget, TargetMeters> byTarget = new ConcurrentHashMap<>();
    private final Set<String> zones = ConcurrentHashMap.newKeySet();
    private volatile boolean stopped;
    private Runnable unsubscribe = () -> { };

    Binding(MeterRegistry registry) {
      this.registry = registry;
    }

    void start() {
      groupMeters.add(Gauge.builder(HEALTHY_HOST_COUNT, TargetGroupMetrics.this,
              TargetGroupMetrics::healthyHostCount)
          .tag(TAG_TARGET_GROUP, group.name()).strongReference(true)
          .description("Targets receiving traffic in normal operation").register(registry));
      groupMeters.add(Gauge.builder(UNHEALTHY_HOST_COUNT, TargetGroupMetrics.this,
              TargetGroupMetrics::unhealthyHostCount)
          .tag(TAG_TARGET_GROUP, group.name()).strongReference(true)
          .description("Targets failing health checks or ejected by outlier detection").register(registry));
      unsubscribe = group.addListener(this);
      for (RegisteredTarget t : group.targets()) {
        add(t);
      }
    }

    private void add(RegisteredTarget t) {
      if (stopped) {
        return;
      }
      String zone = t.target().zone();
      byTarget.computeIfAbsent(t, k -> new TargetMeters(registry, group.name(), t.target().id(), zone));
      if (zone != null && zones.add(zone)) {
        zoneGauge(HEALTHY_HOST_COUNT, zone, ZoneHealthDescription::healthy,
            "Targets in the zone that receive traffic in normal operation");
        zoneGauge(UNHEALTHY_HOST_COUNT, zone, ZoneHealthDescription::unhealthy,
            "Targets in the zone that are unhealthy");
      }
    }

    private void zoneGauge(String metric, String zone, ToDoubleFunction<ZoneHealthDescription> f,
        String description) {
      groupMeters.add(Gauge.builder(metric, group, g -> {
        for (ZoneHealthDescription z : g.describeZones()) {
          if (zone.equals(z.zone())) {
            return f.applyAsDouble(z);
          }
        }
        return 0;
      }).tag(TAG_TARGET_GROUP, group.name()).tag(TAG_ZONE, zone).description(description).register(registry));
    }

    void close() {
      stopped = true;
      unsubscribe.run();
      for (TargetMeters m : byTarget.values()) {
        m.remove();
      }
      byTarget.clear();
      for (Meter m : groupMeters) {
        registry.remove(m);
      }
      groupMeters.clear();
    }

    @Override
    public void onTargetRegistered(TargetGroup g, RegisteredTarget target) {
      add(target);
    }

    @Override
    public void onTargetDeregistered(TargetGroup g, RegisteredTarget target) {
      TargetMeters m = byTarget.remove(target);
      if (m != null) {
        m.remove();
      }
    }

    @Override
    public void onRequestEnd(RegisteredTarget target, RequestOutcome outcome, long latencyNanos) {
      TargetMeters m = byTarget.get(target);
      if (m != null) {
        m.record(outcome, latencyNanos);
      }
    }
  }

  /**
   * The meters of one target in one registry. {@link #record} is the single place an ended request is counted, so
   * another event source (a per-exchange listener counting retries, say) can feed the same meters.
   */
  static final class TargetMeters {
    private static final RequestOutcome[] OUTCOMES = RequestOutcome.values();

    private final MeterRegistry registry;
    private final Counter requests;
    private final Timer responseTime;
    private final Counter connectionErrors;
    /** By {@link RequestOutcome#ordinal()}; null for outcomes that are not failures. */
    private final Counter[] errors = new Counter[OUTCOMES.length];

    TargetMeters(MeterRegistry registry, String group, String target, String zone) {
      this.registry = registry;
      Tags tags = Tags.of(TAG_TARGET_GROUP, group, TAG_TARGET, target);
      if (zone != null) {
        tags = tags.and(TAG_ZONE, zone);
      }
      requests = Counter.builder(REQUEST_COUNT_PER_TARGET).tags(tags)
          .description("Requests sent to the target that ended").register(registry);
      responseTime = Timer.builder(TARGET_RESPONSE_TIME).tags(tags)
          .description("Time from sending a request to the target until its response ended").register(registry);
      connectionErrors = Counter.builder(TARGET_CONNECTION_ERROR_COUNT).tags(tags)
          .description("Connections to the target that could not be established").register(registry);
      for (RequestOutcome o : OUTCOMES) {
        if (o.isFailure()) {
          errors[o.ordinal()] = Counter.builder(TARGET_ERROR_COUNT).tags(tags)
              .tag(TAG_ERROR, o.name().toLowerCase(Locale.ROOT))
              .description("Requests to the target that failed, by class").register(registry);
        }
      }
    }

    /** Counts one ended request (hot path: no allocation). */
    void record(RequestOutcome outcome, long latencyNanos) {
      requests.increment();
      Counter error = errors[outcome.ordinal()];
      if (error != null) {
        error.increment();
      }
      if (outcome == RequestOutcome.CONNECT_FAILURE) {
        connectionErrors.increment();
      } else if (outcome != RequestOutcome.CANCELLED) {
        responseTime.record(latencyNanos, TimeUnit.NANOSECONDS);
      }
    }

    void remove() {
      registry.remove(requests);
      registry.remove(responseTime);
      registry.remove(connectionErrors);
      for (Counter c : errors) {
        if (c != null) {
          registry.remove(c);
        }
      }
    }
  }
}
