package dev.loadstar.gateway.metrics;

import dev.loadstar.core.RegisteredTarget;
import dev.loadstar.core.RequestOutcome;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetGroupListener;
import dev.loadstar.core.ZoneHealthDescription;
import dev.loadstar.healthcheck.HealthMetrics;
import dev.loadstar.routing.HttpListener;
import dev.loadstar.routing.ListenerStats;
import dev.loadstar.routing.TcpListener;
import dev.loadstar.scaling.Instance;
import dev.loadstar.scaling.InstanceState;
import dev.loadstar.scaling.ScalingGroup;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Micrometer meters for a gateway, named as ALB's and Auto Scaling's CloudWatch metrics (docs/architecture.md,
 * "Admin API and metrics", has the list and how Prometheus renders the names).
 *
 * <ul>
 *   <li>per target ({@code target_group}, {@code target}, and {@code availability_zone} for a target with a zone):
 *   {@code RequestCountPerTarget}, {@code TargetResponseTime}, {@code TargetConnectionErrorCount}, fed by
 *   {@link TargetGroupListener#onRequestEnd} (one map lookup, no allocation beyond Micrometer's own);</li>
 *   <li>per target group ({@code target_group}): {@code HealthyHostCount}, {@code UnHealthyHostCount} (healthcheck's
 *   {@link HealthMetrics}) and {@code HTTPCode_Target_2XX_Count} ... {@code 5XX} summed over the HTTP listeners;</li>
 *   <li>per target group and zone ({@code target_group}, {@code availability_zone}): {@code HealthyHostCount},
 *   {@code UnHealthyHostCount} again, for each zone a target of the group was registered in (CloudWatch's
 *   {@code AvailabilityZone} dimension);</li>
 *   <li>per listener ({@code listener}): {@code RequestCount}, {@code HTTPCode_ELB_4XX_Count},
 *   {@code HTTPCode_ELB_5XX_Count}, {@code HTTPCode_ELB_500/502/503/504_Count}, {@code ActiveConnectionCount},
 *   {@code NewConnectionCount}, and for TCP listeners {@code RejectedConnectionCount};</li>
 *   <li>per scaling group ({@code auto_scaling_group}): {@code GroupMinSize}, {@code GroupMaxSize},
 *   {@code GroupDesiredCapacity}, {@code GroupInServiceInstances}, {@code GroupTotalInstances}.</li>
 * </ul>
 * Read-side meters sample the components when scraped. {@link #close()} removes every meter and listener.
 */
public final class GatewayMetrics implements AutoCloseable {

  /** Tag naming the target group. */
  public static final String TAG_TARGET_GROUP = HealthMetrics.TAG_TARGET_GROUP;
  /** Tag naming the target. */
  public static final String TAG_TARGET = "target";
  /** Tag naming the listener. */
  public static final String TAG_LISTENER = "listener";
  /** Tag naming the scaling group. */
  public static final String TAG_SCALING_GROUP = "auto_scaling_group";
  /** Tag naming the availability zone (CloudWatch's {@code AvailabilityZone} dimension). */
  public static final String TAG_ZONE = "availability_zone";

  private final MeterRegistry registry;
  private final List<Meter> meters = new CopyOnWriteArrayList<>();
  private final List<Runnable> unsubscribes = new CopyOnWriteArrayList<>();
  private final List<HealthMetrics> health = new CopyOnWriteArrayList<>();
  private final List<ListenerStats> httpStats = new CopyOnWriteArrayList<>();
  private volatile boolean closed;

  /** Meters registered in {@code registry}. */
  public GatewayMetrics(MeterRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
  }

  /** The registry. */
  public MeterRegistry registry() {
    return registry;
  }

  /** Meters of one target group and its targets (present and future). */
  public synchronized void bindTargetGroup(TargetGroup group) {
    health.add(HealthMetrics.bind(group, registry));
    for (int statusClass = 2; statusClass <= 5; statusClass++) {
      int c = statusClass;
      String name = group.name();
      meters.add(FunctionCounter.builder("HTTPCode_Target_" + c + "XX_Count", httpStats,
              list -> sumTargetResponses(list, name, c))
          .tag(TAG_TARGET_GROUP, name)
          .description("Responses with a " + c + "xx status received from the group's targets")
          .register(registry));
    }
    TargetMeters listener = new TargetMeters(group);
    for (RegisteredTarget t : group.targets()) {
      listener.add(t);
    }
    unsubscribes.add(group.addListener(listener));
    unsubscribes.add(listener::removeAll);
  }

  private static double sumTargetResponses(List<ListenerStats> list, String group, int statusClass) {
    long n = 0;
    for (ListenerStats s : list) {
      n += s.targetResponses(group, statusClass);
    }
    return n;
  }

  /** Meters of one HTTP listener. */
  public synchronized void bindHttpListener(String name, HttpListener listener) {
    ListenerStats stats = listener.stats();
    httpStats.add(stats);
    counter("RequestCount", name, stats, ListenerStats::requests, "Requests received by the listener");
    counter("HTTPCode_ELB_4XX_Count", name, stats, s -> elb(s, 400, 499),
        "4xx responses generated by the listener itself");
    counter("HTTPCode_ELB_5XX_Count", name, stats, s -> elb(s, 500, 599),
        "5xx responses generated by the listener itself");
    for (int code : new int[] {500, 502, 503, 504}) {
      counter("HTTPCode_ELB_" + code + "_Count", name, stats, s -> s.elbResponses(code),
          code + " responses generated by the listener itself");
    }
    counter("NewConnectionCount", name, stats, ListenerStats::newConnections, "Client connections accepted");
    meters.add(Gauge.builder("ActiveConnectionCount", stats, ListenerStats::activeConnections)
        .tag(TAG_LISTENER, name).description("Client connections currently open").register(registry));
  }

  /** Meters of one TCP listener. */
  public synchronized void bindTcpListener(String name, TcpListener listener) {
    meters.add(Gauge.builder("ActiveConnectionCount", listener, TcpListener::activeConnections)
        .tag(TAG_LISTENER, name).description("Client connections currently open").register(registry));
    counter("RejectedConnectionCount", name, listener, TcpListener::rejectedConnections,
        "Client connections closed because no target could be reached");
  }

  /** Meters of one scaling group. */
  public synchronized void bindScalingGroup(ScalingGroup group) {
    gauge("GroupMinSize", group, ScalingGroup::minSize, "MinSize");
    gauge("GroupMaxSize", group, ScalingGroup::maxSize, "MaxSize");
    gauge("GroupDesiredCapacity", group, ScalingGroup::desiredCapacity, "DesiredCapacity");
    gauge("GroupInServiceInstances", group, g -> count(g, true), "Instances in service");
    gauge("GroupTotalInstances", group, g -> count(g, false), "Instances pending, in service or terminating");
  }

  private static double count(ScalingGroup g, boolean inServiceOnly) {
    int n = 0;
    for (Instance i : g.instances()) {
      if (!inServiceOnly || i.state() == InstanceState.IN_SERVICE) {
        n++;
      }
    }
    return n;
  }

  private void gauge(String metric, ScalingGroup group, ToDoubleFunction<ScalingGroup> f, String description) {
    meters.add(Gauge.builder(metric, group, f).tag(TAG_SCALING_GROUP, group.name()).description(description)
        .register(registry));
  }

  private <T> void counter(String metric, String listener, T obj, ToDoubleFunction<T> f, String description) {
    meters.add(FunctionCounter.builder(metric, obj, f).tag(TAG_LISTENER, listener).description(description)
        .register(registry));
  }

  private static double elb(ListenerStats s, int from, int to) {
    long n = 0;
    for (int code = from; code <= to; code++) {
      n += s.elbResponses(code);
    }
    return n;
  }

  /** Removes every meter and listener; idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    unsubscribes.forEach(Runnable::run);
    unsubscribes.clear();
    health.forEach(HealthMetrics::close);
    health.clear();
    for (Meter m : meters) {
      registry.remove(m);
    }
    meters.clear();
    httpStats.clear();
  }

  /** The per-target meters of one group, created on registration and removed when a target leaves. */
  private final class TargetMeters implements TargetGroupListener {
    private final TargetGroup group;
    private final ConcurrentHashMap<RegisteredTarget, PerTarget> byTarget = new ConcurrentHashMap<>();
    private final Set<String> zones = ConcurrentHashMap.newKeySet();

    TargetMeters(TargetGroup group) {
      this.group = group;
    }

    void add(RegisteredTarget t) {
      if (closed) {
        return;
      }
      String zone = t.target().zone();
      byTarget.computeIfAbsent(t, k -> new PerTarget(group.name(), t.target().id(), zone));
      if (zone != null && zones.add(zone)) {
        zoneGauge(HealthMetrics.HEALTHY_HOST_COUNT, zone, ZoneHealthDescription::healthy,
            "Targets in the zone that receive traffic in normal operation");
        zoneGauge(HealthMetrics.UNHEALTHY_HOST_COUNT, zone, ZoneHealthDescription::unhealthy,
            "Targets in the zone that are unhealthy");
      }
    }

    private void zoneGauge(String metric, String zone, ToDoubleFunction<ZoneHealthDescription> f,
        String description) {
      meters.add(Gauge.builder(metric, group, g -> {
        for (ZoneHealthDescription z : g.describeZones()) {
          if (zone.equals(z.zone())) {
            return f.applyAsDouble(z);
          }
        }
        return 0;
      }).tag(TAG_TARGET_GROUP, group.name()).tag(TAG_ZONE, zone).description(description).register(registry));
    }

    void removeAll() {
      for (PerTarget p : byTarget.values()) {
        p.remove();
      }
      byTarget.clear();
    }

    @Override
    public void onTargetRegistered(TargetGroup g, RegisteredTarget target) {
      add(target);
    }

    @Override
    public void onTargetDeregistered(TargetGroup g, RegisteredTarget target) {
      PerTarget p = byTarget.remove(target);
      if (p != null) {
        p.remove();
      }
    }

    @Override
    public void onRequestEnd(RegisteredTarget target, RequestOutcome outcome, long latencyNanos) {
      PerTarget p = byTarget.get(target);
      if (p == null) {
        return;
      }
      p.requests.increment();
      if (outcome == RequestOutcome.CONNECT_FAILURE) {
        p.connectionErrors.increment();
      } else if (outcome != RequestOutcome.CANCELLED) {
        p.responseTime.record(latencyNanos, TimeUnit.NANOSECONDS);
      }
    }
  }

  private final class PerTarget {
    final Counter requests;
    final Timer responseTime;
    final Counter connectionErrors;

    PerTarget(String group, String target, String zone) {
      Tags tags = Tags.of(TAG_TARGET_GROUP, group, TAG_TARGET, target);
      if (zone != null) {
        tags = tags.and(TAG_ZONE, zone);
      }
      requests = Counter.builder("RequestCountPerTarget").tags(tags)
          .description("Requests sent to the target that ended").register(registry);
      responseTime = Timer.builder("TargetResponseTime").tags(tags)
          .description("Time from sending a request to the target until its response ended").register(registry);
      connectionErrors = Counter.builder("TargetConnectionErrorCount").tags(tags)
          .description("Connections to the target that could not be established").register(registry);
    }

    void remove() {
      List<Meter> all = new ArrayList<>(List.of(requests, responseTime, connectionErrors));
      all.forEach(registry::remove);
    }
  }
}
