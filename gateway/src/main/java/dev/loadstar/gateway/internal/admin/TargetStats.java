package dev.loadstar.gateway.internal.admin;

import dev.loadstar.core.RegisteredTarget;
import dev.loadstar.core.RequestOutcome;
import dev.loadstar.core.Stickiness;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetGroupListener;
import dev.loadstar.core.TargetHealth;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Rolling per-target figures for the dashboard: requests per second (from {@link RegisteredTarget#requestCount()},
 * sampled once a second, with the last {@value #HISTORY_SECONDS} seconds kept for a chart), requests in flight, p99
 * latency over the last {@value #P99_WINDOW_SECONDS} seconds (from {@link TargetGroupListener#onRequestEnd}: one map
 * lookup and one bucket increment, no allocation) and the client-side sessions pinned to each target.
 *
 * <p>{@link #tick()} is called once a second from one thread (the admin server's timer); reads may come from any
 * thread. At most {@value #MAX_TARGETS_PER_GROUP} targets per group are tracked (a dashboard shows no more).
 */
public final class TargetStats {

  /** Seconds of requests-per-second history kept per target. */
  public static final int HISTORY_SECONDS = 180;
  /** Seconds over which the p99 latency is computed. */
  public static final int P99_WINDOW_SECONDS = 10;
  /** Most targets tracked per group. */
  public static final int MAX_TARGETS_PER_GROUP = 500;

  private final Map<String, TargetGroup> groups;
  private final Map<String, GroupStats> stats = new LinkedHashMap<>();
  private final List<Runnable> unsubscribes = new ArrayList<>();
  private volatile Instant sampledAt = Instant.now();

  /** Stats over these groups; subscribes to them until {@link #close()}. */
  public TargetStats(Map<String, TargetGroup> groups) {
    this.groups = new LinkedHashMap<>(groups);
    long now = System.nanoTime();
    for (Map.Entry<String, TargetGroup> e : this.groups.entrySet()) {
      GroupStats g = new GroupStats();
      stats.put(e.getKey(), g);
      for (RegisteredTarget t : e.getValue().targets()) {
        g.add(t, now);
      }
      unsubscribes.add(e.getValue().addListener(g));
    }
  }

  /** Samples every tracked target: closes one second of latencies and one requests-per-second point. */
  public synchronized void tick() {
    long now = System.nanoTime();
    for (GroupStats g : stats.values()) {
      for (PerTarget p : g.targets.values()) {
        p.sample(now);
      }
    }
    sampledAt = Instant.now();
  }

  /** Whether a group of that name is tracked. */
  public boolean has(String group) {
    return stats.containsKey(group);
  }

  /** All groups: {@code {"Time", "IntervalSeconds", "TargetGroups": [...]}}; with history when asked. */
  public JsonObject json(boolean history) {
    JsonArray all = new JsonArray();
    for (String name : groups.keySet()) {
      all.add(group(name, history));
    }
    return new JsonObject().put("Time", Instant.now().toString()).put("SampledAt", sampledAt.toString())
        .put("IntervalSeconds", 1)
        .put("HistorySeconds", HISTORY_SECONDS).put("P99WindowSeconds", P99_WINDOW_SECONDS).put("TargetGroups", all);
  }

  /** One group's figures (the group must exist). */
  public JsonObject group(String name, boolean history) {
    TargetGroup g = groups.get(name);
    GroupStats gs = stats.get(name);
    Stickiness s = g.config().stickiness();
    Map<String, Integer> pinned = g.stickySessions().pinnedSessions();
    JsonArray rows = new JsonArray();
    for (RegisteredTarget t : g.targets()) {
      PerTarget p = gs.targets.get(t);
      TargetHealth h = t.health();
      JsonObject row = new JsonObject()
          .put("Id", t.target().id())
          .put("Host", t.target().host())
          .put("Port", t.target().port())
          .put("Zone", t.target().zone())
          .put("State", h.state().apiName())
          .put("Reason", h.reason() == null ? null : h.reason().code())
          .put("Description", h.description())
          .put("InFlight", t.inFlight())
          .put("RequestCount", t.requestCount())
          .put("StickySessionsPinned", pinned.getOrDefault(t.target().id(), 0));
      if (p != null) {
        row.put("RequestsPerSecond", p.lastRate());
        long p99 = p.latency.quantileMicros(0.99);
        row.put("P99LatencyMs", p99 < 0 ? null : p99 / 1000.0);
        if (history) {
          row.put("RequestsPerSecondHistory", p.history());
        }
      } else {
        row.put("RequestsPerSecond", null).put("P99LatencyMs", null);
      }
      rows.add(row);
    }
    return new JsonObject().put("TargetGroupName", name)
        .put("Stickiness", s.enabled() ? s.type().apiName() : "off")
        .put("FailingOpen", g.isFailingOpen())
        .put("Targets", rows);
  }

  /** Unsubscribes from the groups; idempotent. */
  public synchronized void close() {
    unsubscribes.forEach(Runnable::run);
    unsubscribes.clear();
  }

  private static final class GroupStats implements TargetGroupListener {
    final ConcurrentHashMap<RegisteredTarget, PerTarget> targets = new ConcurrentHashMap<>();

    void add(RegisteredTarget t, long now) {
      if (targets.size() < MAX_TARGETS_PER_GROUP) {
        targets.computeIfAbsent(t, k -> new PerTarget(t, now));
      }
    }

    @Override
    public void onTargetRegistered(TargetGroup group, RegisteredTarget target) {
      add(target, System.nanoTime());
    }

    @Override
    public void onTargetDeregistered(TargetGroup group, RegisteredTarget target) {
      targets.remove(target);
    }

    @Override
    public void onRequestEnd(RegisteredTarget target, RequestOutcome outcome, long latencyNanos) {
      if (outcome == RequestOutcome.CONNECT_FAILURE || outcome == RequestOutcome.CANCELLED) {
        return;
      }
      PerTarget p = targets.get(target);
      if (p != null) {
        p.latency.record(latencyNanos);
      }
    }
  }

  private static final class PerTarget {
    final RegisteredTarget target;
    final LatencyWindow latency = new LatencyWindow(P99_WINDOW_SECONDS);
    final float[] history = new float[HISTORY_SECONDS];
    int points;
    int next;
    long lastCount;
    long lastNanos;
    volatile double lastRate;

    PerTarget(RegisteredTarget target, long now) {
      this.target = target;
      this.lastCount = target.requestCount();
      this.lastNanos = now;
    }

    synchronized void sample(long now) {
      latency.rotate();
      long count = target.requestCount();
      double seconds = Math.max(1e-3, (now - lastNanos) / 1e9);
      double rate = Math.round((count - lastCount) / seconds * 10) / 10.0;
      lastCount = count;
      lastNanos = now;
      lastRate = rate;
      history[next] = (float) rate;
      next = (next + 1) % HISTORY_SECONDS;
      points = Math.min(points + 1, HISTORY_SECONDS);
    }

    double lastRate() {
      return lastRate;
    }

    synchronized JsonArray history() {
      JsonArray out = new JsonArray();
      for (int i = points; i > 0; i--) {
        out.add((double) history[(next - i + HISTORY_SECONDS) % HISTORY_SECONDS]);
      }
      return out;
    }
  }
}
