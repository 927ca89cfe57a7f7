package dev.loadstar.gateway.metrics;

import dev.loadstar.core.TargetGroup;
import dev.loadstar.micrometer.TargetGroupMetrics;
import dev.loadstar.routing.HttpListener;
import dev.loadstar.routing.ListenerStats;
import dev.loadstar.routing.TcpListener;
import dev.loadstar.scaling.Instance;
import dev.loadstar.scaling.InstanceState;
import dev.loadstar.scaling.ScalingGroup;
import dev.loadstar.gateway.accesslog.AccessLog;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.ToDoubleFunction;

/**
 * Micrometer meters for a gateway, named as ALB's and Auto Scaling's CloudWatch metrics (docs/architecture.md,
 * "Admin API and metrics", has the list and how Prometheus renders the names).
 *
 * <ul>
 *   <li>per target group, per zone and per target: {@link TargetGroupMetrics} ({@code RequestCountPerTarget},
 *   {@code TargetResponseTime}, {@code TargetConnectionErrorCount}, {@code TargetErrorCount},
 *   {@code HealthyHostCount}, {@code UnHealthyHostCount}), the binding a client-only application uses too;</li>
 *   <li>per target group ({@code target_group}): {@code HTTPCode_Target_2XX_Count} ... {@code 5XX} summed over the
 *   HTTP listeners;</li>
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
  public static final String TAG_TARGET_GROUP = TargetGroupMetrics.TAG_TARGET_GROUP;
  /** Tag naming the target. */
  public static final String TAG_TARGET = TargetGroupMetrics.TAG_TARGET;
  /** Tag naming the listener. */
  public static final String TAG_LISTENER = "listener";
  /** Tag naming the scaling group. */
  public static final String TAG_SCALING_GROUP = "auto_scaling_group";
  /** Tag naming the availability zone (CloudWatch's {@code AvailabilityZone} dimension). */
  public static final String TAG_ZONE = TargetGroupMetrics.TAG_ZONE;

  private final MeterRegistry registry;
  private final List<Meter> meters = new CopyOnWriteArrayList<>();
  /** The meters of each bound part ({@code listener:web}, {@code group:api}), so a reload can remove them. */
  private final Map<String, List<Meter>> owned = new HashMap<>();
  private final Map<String, TargetGroupMetrics> groupMeters = new HashMap<>();
  private final Map<String, ListenerStats> statsByListener = new HashMap<>();
  private final List<TargetGroupMetrics> groups = new CopyOnWriteArrayList<>();
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
    TargetGroupMetrics tgm = TargetGroupMetrics.bind(group, registry);
    groups.add(tgm);
    groupMeters.put(group.name(), tgm);
    for (int statusClass = 2; statusClass <= 5; statusClass++) {
      int c = statusClass;
      String name = group.name();
      add("group:" + name, FunctionCounter.builder("HTTPCode_Target_" + c + "XX_Count", httpStats,
              list -> sumTargetResponses(list, name, c))
          .tag(TAG_TARGET_GROUP, name)
          .description("Responses with a " + c + "xx status received from the group's targets")
          .register(registry));
    }
  }

  /** Removes the meters of a target group (a reload removed or rebuilt it). */
  public synchronized void unbindTargetGroup(String name) {
    TargetGroupMetrics tgm = groupMeters.remove(name);
    if (tgm != null) {
      groups.remove(tgm);
      tgm.close();
    }
    unbind("group:" + name);
  }

  /** Removes the meters of a listener, HTTP or TCP, with its access log's (a reload removed or rebuilt it). */
  public synchronized void unbindListener(String name) {
    ListenerStats stats = statsByListener.remove(name);
    if (stats != null) {
      httpStats.remove(stats);
    }
    unbind("listener:" + name);
  }

  /**
   * {@code AccessLogDroppedCount} of a listener's access log, by {@code reason}: {@code queue_full} (the writer fell
   * behind or its output is blocked) and {@code write_error} (the write failed, e.g. a full disk).
   */
  public synchronized void bindAccessLog(String listener, AccessLog log) {
    for (AccessLog.Drop why : AccessLog.Drop.values()) {
      add("listener:" + listener, FunctionCounter.builder("AccessLogDroppedCount", log, l -> l.dropped(listener, why))
          .tag(TAG_LISTENER, listener).tag("reason", why.name().toLowerCase(java.util.Locale.ROOT))
          .description("Access log records dropped instead of slowing requests").register(registry));
    }
  }

  private void add(String owner, Meter m) {
    meters.add(m);
    owned.computeIfAbsent(owner, k -> new ArrayList<>()).add(m);
  }

  private void unbind(String owner) {
    List<Meter> list = owned.remove(owner);
    if (list != null) {
      for (Meter m : list) {
        registry.remove(m);
        meters.remove(m);
      }
    }
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
    statsByListener.put(name, stats);
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
    add("listener:" + name, Gauge.builder("ActiveConnectionCount", stats, ListenerStats::activeConnections)
        .tag(TAG_LISTENER, name).description("Client connections currently open").register(registry));
  }

  /** Meters of one TCP listener. */
  public synchronized void bindTcpListener(String name, TcpListener listener) {
    add("listener:" + name, Gauge.builder("ActiveConnectionCount", listener, TcpListener::activeConnections)
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
    add("listener:" + listener, FunctionCounter.builder(metric, obj, f).tag(TAG_LISTENER, listener)
        .description(description).register(registry));
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
    groups.forEach(TargetGroupMetrics::close);
    groups.clear();
    for (Meter m : meters) {
      registry.remove(m);
    }
    meters.clear();
    owned.clear();
    groupMeters.clear();
    statsByListener.clear();
    httpStats.clear();
  }
}
