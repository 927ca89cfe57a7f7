package dev.loadstar.core.internal;

import dev.loadstar.core.BalancerGraph;

import dev.loadstar.core.config.Checks;
import dev.loadstar.core.BalancingAlgorithm;
import dev.loadstar.core.HealthChangeEvent;
import dev.loadstar.core.RegisteredTarget;
import dev.loadstar.core.RequestOutcome;
import dev.loadstar.core.SelectionContext;
import dev.loadstar.core.StickySessions;
import dev.loadstar.core.Target;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetGroupConfig;
import dev.loadstar.core.TargetGroupListener;
import dev.loadstar.core.TargetHealth;
import dev.loadstar.core.TargetHealthDescription;
import dev.loadstar.core.TargetSelector;
import dev.loadstar.core.ZoneHealthDescription;
import dev.loadstar.core.internal.algorithm.ContinuingAlgorithm;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * The target group: a writer lock for membership and health, an immutable {@link GroupSnapshot} for selection.
 */
public final class DefaultTargetGroup implements TargetGroup {

  private static final System.Logger LOG = System.getLogger(DefaultTargetGroup.class.getName());
  /** Share of full weight a target gets when it enters slow start; the share then rises linearly to 1. */
  static final double SLOW_START_MIN_SHARE = 0.1;
  /** How often slow-start weights are recomputed. */
  static final long SLOW_START_TICK_MS = 1000;

  private final Vertx vertx;
  private final TargetGroupConfig config;
  private final Clock clock;
  private final LongSupplier nanoTime;
  private final long anomalyIntervalMs;
  private final ReentrantLock lock = new ReentrantLock();
  private final LinkedHashMap<String, DefaultRegisteredTarget> members = new LinkedHashMap<>();
  private final CopyOnWriteArrayList<TargetGroupListener> listeners = new CopyOnWriteArrayList<>();
  private final DefaultStickySessions stickySessions;
  private volatile TargetGroupListener[] listenerArray = new TargetGroupListener[0];
  private volatile GroupSnapshot snapshot = GroupSnapshot.EMPTY;
  /** Every member's in-flight count, contiguous (selectors that compare counts scan it). */
  private final InFlightTable inFlightTable = new InFlightTable();
  private long slowStartTimer = -1;
  private long anomalyTimer = -1;
  private long registrationBatches;
  private boolean closed;

  /** A group using the system clock. */
  public DefaultTargetGroup(Vertx vertx, TargetGroupConfig config) {
    this(vertx, config, Clock.systemUTC());
  }

  /** A group using the given wall clock (cookie expiry, event times). */
  public DefaultTargetGroup(Vertx vertx, TargetGroupConfig config, Clock clock) {
    this(vertx, config, clock, System::nanoTime, Duration.ofMillis(AnomalyDetector.EVALUATION_INTERVAL_MS));
  }

  /**
   * A group with its own time sources: {@code nanoTime} drives slow start (tests move it by hand and call
   * {@link #refreshWeights()}), {@code anomalyInterval} is how often anomaly detection runs (ALB: 5 s; tests use a
   * long interval and call {@link #evaluateAnomalies()}).
   */
  public DefaultTargetGroup(Vertx vertx, TargetGroupConfig config, Clock clock, LongSupplier nanoTime,
      Duration anomalyInterval) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.config = Objects.requireNonNull(config, "config");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    this.anomalyIntervalMs = Checks.positive("anomalyInterval", anomalyInterval).toMillis();
    Checks.positive("anomalyInterval", anomalyIntervalMs);
    this.stickySessions = new DefaultStickySessions(this, clock);
  }

  @Override
  public String name() {
    return config.name();
  }

  @Override
  public TargetGroupConfig config() {
    return config;
  }

  Vertx vertx() {
    return vertx;
  }

  InFlightTable inFlightTable() {
    return inFlightTable;
  }

  @Override
  public RegisteredTarget register(Target target) {
    Objects.requireNonNull(target, "target");
    if (target.kind() != Target.Kind.BALANCER) {
      return registerNow(target);
    }
    BalancerGraph graph = BalancerGraph.of(vertx);
    return graph.change(() -> {
      graph.checkNoLoop("target", target.id(), this, target.balancer());
      return registerNow(target);
    });
  }

  private DefaultRegisteredTarget registerNow(Target target) {
    List<Runnable> events = new ArrayList<>();
    lock.lock();
    try {
      checkOpen();
      DefaultRegisteredTarget result = registerLocked(target, ++registrationBatches, events);
      publish(events);
      return result;
    } finally {
      lock.unlock();
    }
  }

  /** Registers the targets as one registration call: one snapshot, and one batch for the slow-start rule. */
  @Override
  public void register(Collection<Target> targets) {
    Objects.requireNonNull(targets, "targets");
    boolean balancers = false;
    for (Target t : targets) {
      Objects.requireNonNull(t, "target");
      balancers |= t.kind() == Target.Kind.BALANCER;
    }
    if (!balancers) {
      registerAllNow(targets);
      return;
    }
    BalancerGraph graph = BalancerGraph.of(vertx);
    graph.change(() -> {
      for (Target t : targets) {
        if (t.kind() == Target.Kind.BALANCER) {
          graph.checkNoLoop("target", t.id(), this, t.balancer());
        }
      }
      registerAllNow(targets);
      return null;
    });
  }

  private void registerAllNow(Collection<Target> targets) {
    List<Runnable> events = new ArrayList<>();
    lock.lock();
    try {
      checkOpen();
      long batch = ++registrationBatches;
      for (Target t : targets) {
        registerLocked(t, batch, events);
      }
      publish(events);
    } finally {
      lock.unlock();
    }
  }


  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("target group " + name() + " is closed");
    }
  }

  private DefaultRegisteredTarget registerLocked(Target target, long batch, List<Runnable> events) {
    DefaultRegisteredTarget existing = members.get(target.id());
    if (existing != null && existing.target().sameEndpoint(target)) {
      existing.target(target);
      if (existing.draining()) {
        cancelDrain(existing);
        TargetHealth before = existing.health();
        TargetHealth after = initialHealth(target);
        existing.draining(false);
        existing.health(after);
        existing.registrationBatch = batch;
        existing.awaitingFirstHealthy = true;
        if (after.isRoutable()) {
          maybeEnterSlowStart(existing);
        }
        events.add(() -> fireHealth(existing, before, after));
      }
      existing.selectionWeight = weightOf(existing, nanoTime.getAsLong());
      return existing;
    }
    if (existing != null) {
      removeNow(existing, events);
    }
    DefaultRegisteredTarget added = new DefaultRegisteredTarget(this, target, initialHealth(target),
        nanoTime.getAsLong());
    added.registrationBatch = batch;
    members.put(target.id(), added);
    if (added.health().isRoutable()) {
      // health checks disabled: routable at once, so it "becomes healthy" now
      maybeEnterSlowStart(added);
    }
    events.add(() -> fire(l -> l.onTargetRegistered(this, added)));
    return added;
  }

  /** {@code initial} when the group's health checks apply to the target, else {@code unavailable}. */
  private TargetHealth initialHealth(Target target) {
    return config.healthCheckEnabled() && target.healthCheckEnabled() ? TargetHealth.INITIAL : TargetHealth.UNAVAILABLE;
  }

  @Override
  public Future<Void> deregister(String targetId) {
    Objects.requireNonNull(targetId, "targetId");
    List<Runnable> events = new ArrayList<>();
    Future<Void> result;
    lock.lock();
    try {
      DefaultRegisteredTarget t = members.get(targetId);
      if (t == null) {
        return Future.failedFuture(new IllegalArgumentException(
            "targetId: " + targetId + " (expected: a target registered in " + name() + ")"));
      }
      if (t.draining()) {
        return t.drainPromise.future();
      }
      TargetHealth before = t.health();
      t.draining(true);
      t.health(TargetHealth.DRAINING);
      t.slowStartBeginNanos = -1;
      if (t.drainPromise == null || t.drainPromise.future().isComplete()) {
        // a deregistration interrupted by a re-registration keeps its pending future until the target leaves
        t.drainPromise = Promise.promise();
      }
      result = t.drainPromise.future();
      events.add(() -> fireHealth(t, before, TargetHealth.DRAINING));
      events.add(() -> fire(l -> l.onTargetDraining(this, t)));
      long delayMs = config.deregistrationDelay().toMillis();
      if (delayMs == 0 || t.closeIfIdle()) {
        removeNow(t, events);
      } else {
        t.drainTimerId = vertx.setTimer(delayMs, id -> drainDelayElapsed(t));
      }
      publish(events);
    } finally {
      lock.unlock();
    }
    return result;
  }

  /** Called when a draining target's last in-flight request ended. */
  void onDrainedIdle(DefaultRegisteredTarget t) {
    List<Runnable> events = new ArrayList<>();
    lock.lock();
    try {
      if (members.get(t.target().id()) != t || !t.draining() || !t.closeIfIdle()) {
        return;
      }
      removeNow(t, events);
      publish(events);
    } finally {
      lock.unlock();
    }
  }

  private void drainDelayElapsed(DefaultRegisteredTarget t) {
    List<Runnable> events = new ArrayList<>();
    lock.lock();
    try {
      t.drainTimerId = -1;
      if (members.get(t.target().id()) != t || !t.draining()) {
        return;
      }
      removeNow(t, events);
      // ALB closes connections still in flight when the delay elapses: front ends cut theirs (see onDrainTimeout)
      events.add(t::drainTimedOut);
      publish(events);
    } finally {
      lock.unlock();
    }
  }

  /** Removes a member now (under the lock); the caller publishes. */
  private void removeNow(DefaultRegisteredTarget t, List<Runnable> events) {
    cancelDrain(t);
    t.forceClose();
    members.remove(t.target().id());
    TargetHealth before = t.health();
    t.draining(true);
    t.health(TargetHealth.UNUSED);
    Promise<Void> p = t.drainPromise;
    events.add(() -> fireHealth(t, before, TargetHealth.UNUSED));
    events.add(() -> fire(l -> l.onTargetDeregistered(this, t)));
    if (p != null) {
      events.add(p::tryComplete);
    }
  }

  private void cancelDrain(DefaultRegisteredTarget t) {
    if (t.drainTimerId >= 0) {
      vertx.cancelTimer(t.drainTimerId);
      t.drainTimerId = -1;
    }
  }

  @Override
  public RegisteredTarget target(String targetId) {
    return snapshot.byId.get(targetId);
  }

  @Override
  public List<RegisteredTarget> targets() {
    return List.copyOf(snapshot.byId.values());
  }

  @Override
  public RegisteredTarget select(SelectionContext context) {
    RegisteredTarget t = snapshot.selectorFor(context.zone()).select(context);
    if (t == null) {
      TargetGroupListener[] ls = listenerArray;
      for (TargetGroupListener l : ls) {
        try {
          l.onNoTargetSelected(this);
        } catch (RuntimeException e) {
          LOG.log(System.Logger.Level.WARNING, "listener failed", e);
        }
      }
    }
    return t;
  }

  @Override
  public RegisteredTarget routableTarget(String targetId) {
    return routable(snapshot, targetId);
  }

  @Override
  public RegisteredTarget routableTarget(String targetId, SelectionContext context) {
    GroupSnapshot s = snapshot;
    DefaultRegisteredTarget t = routable(s, targetId);
    String zone = context.zone();
    if (t == null || zone == null || s.zoneSelectors == null || zone.equals(t.target().zone())
        || !s.zoneSelectors.containsKey(zone)) {
      return t;
    }
    return null; // the caller's zone serves locally and the target is elsewhere
  }

  private static DefaultRegisteredTarget routable(GroupSnapshot s, String targetId) {
    DefaultRegisteredTarget t = s.byId.get(targetId);
    if (t == null || !t.isActive()) {
      return null;
    }
    if (t.health().isRoutable() || s.failingOpen) {
      return t;
    }
    return null;
  }

  @Override
  public boolean updateHealth(String targetId, TargetHealth health) {
    checkSettable(health);
    List<Runnable> events = new ArrayList<>();
    lock.lock();
    try {
      DefaultRegisteredTarget t = members.get(targetId);
      if (t == null || t.draining()) {
        return false;
      }
      if (applyHealth(t, health, events) || snapshot.failingOpen) {
        publish(events);
      } else {
        runEvents(events);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public int updateHealth(Map<String, TargetHealth> healthById) {
    for (TargetHealth h : healthById.values()) {
      checkSettable(h);
    }
    List<Runnable> events = new ArrayList<>();
    int applied = 0;
    lock.lock();
    try {
      boolean rebuild = snapshot.failingOpen;
      for (Map.Entry<String, TargetHealth> e : healthById.entrySet()) {
        DefaultRegisteredTarget t = members.get(e.getKey());
        if (t == null || t.draining()) {
          continue;
        }
        applied++;
        rebuild |= applyHealth(t, e.getValue(), events);
      }
      if (rebuild) {
        publish(events);
      } else {
        runEvents(events);
      }
      return applied;
    } finally {
      lock.unlock();
    }
  }

  private static void checkSettable(TargetHealth health) {
    Objects.requireNonNull(health, "health");
    if (health.state() == TargetHealth.State.DRAINING || health.state() == TargetHealth.State.UNUSED) {
      throw new IllegalArgumentException("health: " + health.state().apiName()
          + " (expected: initial, healthy, unhealthy or unavailable; draining and unused follow deregistration)");
    }
  }

  /** Sets a member's health (under the lock), queues the event; returns whether its routability changed. */
  private boolean applyHealth(DefaultRegisteredTarget t, TargetHealth health, List<Runnable> events) {
    TargetHealth before = t.health();
    if (before.equals(health)) {
      return false;
    }
    t.health(health);
    if (health.isRoutable() && !before.isRoutable()) {
      maybeEnterSlowStart(t);
    } else if (!health.isRoutable()) {
      t.slowStartBeginNanos = -1;
    }
    events.add(() -> fireHealth(t, before, health));
    return before.isRoutable() != health.isRoutable();
  }

  /**
   * ALB's entry rule: a target that becomes healthy (routable: {@code healthy}, or {@code unavailable} with health
   * checks off) enters slow start only if another healthy target is out of slow start. For a target's first
   * healthy transition after registration, targets registered by the same call do not count, so a registration
   * call into a group without healthy targets puts none of its targets in slow start.
   */
  private void maybeEnterSlowStart(DefaultRegisteredTarget t) {
    boolean first = t.awaitingFirstHealthy;
    t.awaitingFirstHealthy = false;
    if (config.slowStart().isZero()) {
      return;
    }
    for (DefaultRegisteredTarget other : members.values()) {
      if (other != t && !other.draining() && other.health().isRoutable() && other.slowStartBeginNanos < 0
          && !(first && other.registrationBatch == t.registrationBatch)) {
        t.slowStartBeginNanos = nanoTime.getAsLong();
        ensureSlowStartTicker();
        return;
      }
    }
  }

  private void ensureSlowStartTicker() {
    if (slowStartTimer < 0 && !closed) {
      slowStartTimer = vertx.setPeriodic(SLOW_START_TICK_MS, id -> refreshWeights());
    }
  }

  /**
   * Recomputes the slow-start weights at the current time and publishes a new snapshot if any changed; stops the
   * slow-start ticker when no target is in slow start any more. The ticker calls it every second.
   */
  public void refreshWeights() {
    List<Runnable> events = new ArrayList<>();
    lock.lock();
    try {
      long now = nanoTime.getAsLong();
      boolean changed = false;
      boolean any = false;
      for (DefaultRegisteredTarget t : members.values()) {
        if (!t.draining() && weightOf(t, now) != t.selectionWeight) {
          changed = true;
        }
        if (t.slowStartBeginNanos >= 0) {
          any = true;
        }
      }
      if (!any && slowStartTimer >= 0) {
        vertx.cancelTimer(slowStartTimer);
        slowStartTimer = -1;
      }
      if (changed) {
        publish(events);
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * The selection weight now: base weight x anomaly factor x slow-start share, the share rising linearly from
   * {@link #SLOW_START_MIN_SHARE} at entry to 1 at the end of {@code slow_start.duration_seconds}. Ends finished
   * slow starts.
   */
  private double weightOf(DefaultRegisteredTarget t, long now) {
    double w = t.target().weight() * t.anomalyFactor;
    long begin = t.slowStartBeginNanos;
    if (begin >= 0) {
      double elapsed = Math.max(0, now - begin) / (double) config.slowStart().toNanos();
      if (elapsed >= 1.0) {
        t.slowStartBeginNanos = -1;
      } else {
        w *= SLOW_START_MIN_SHARE + (1.0 - SLOW_START_MIN_SHARE) * elapsed;
      }
    }
    return w;
  }

  /**
   * Runs one anomaly evaluation now (the periodic timer calls it every 5 s while it is needed) and publishes a
   * new snapshot if mitigation changed any weight.
   */
  public void evaluateAnomalies() {
    List<Runnable> events = new ArrayList<>();
    lock.lock();
    try {
      if (closed) {
        return;
      }
      if (AnomalyDetector.evaluate(members.values(), config.algorithm().anomalyMitigation())) {
        publish(events);
      } else {
        updateAnomalyTimer();
      }
    } finally {
      lock.unlock();
    }
  }

  /** Runs the anomaly timer only while evaluation has something to do (under the lock). */
  private void updateAnomalyTimer() {
    boolean needed = !closed && AnomalyDetector.needed(members.values());
    if (needed && anomalyTimer < 0) {
      AnomalyDetector.resetWindows(members.values());
      anomalyTimer = vertx.setPeriodic(anomalyIntervalMs, id -> evaluateAnomalies());
    } else if (!needed && anomalyTimer >= 0) {
      vertx.cancelTimer(anomalyTimer);
      anomalyTimer = -1;
    }
  }

  /** Whether the target is in slow start now. */
  boolean inSlowStart(DefaultRegisteredTarget t) {
    return t.slowStartBeginNanos >= 0;
  }

  /** Rebuilds and publishes the snapshot, then runs the queued events (under the lock). */
  void publish(List<Runnable> events) {
    boolean wasFailingOpen = snapshot.failingOpen;
    long now = nanoTime.getAsLong();
    List<RegisteredTarget> candidates = new ArrayList<>(members.size());
    List<RegisteredTarget> routable = new ArrayList<>(members.size());
    Map<String, DefaultRegisteredTarget> byId = new LinkedHashMap<>(members.size() * 2);
    for (DefaultRegisteredTarget t : members.values()) {
      byId.put(t.target().id(), t);
      if (t.draining()) {
        continue;
      }
      t.selectionWeight = weightOf(t, now);
      candidates.add(t);
      if (t.health().isRoutable()) {
        routable.add(t);
      }
    }
    boolean belowThreshold = belowThreshold(routable.size(), candidates.size());
    boolean failingOpen = belowThreshold && config.failOpen() && candidates.size() > routable.size();
    List<RegisteredTarget> eligible = failingOpen ? candidates : routable;
    GroupSnapshot previous = snapshot;
    TargetSelector selector = eligible.isEmpty() ? TargetSelector.EMPTY
        : newSelector(Collections.unmodifiableList(eligible), previous.selector);
    Map<String, TargetSelector> zoneSelectors = config.crossZoneEnabled() ? null
        : zoneSelectors(candidates, previous.zoneSelectors);
    snapshot = new GroupSnapshot(Collections.unmodifiableMap(byId), selector, failingOpen, eligible.size(), zoneSelectors);
    if (failingOpen != wasFailingOpen) {
      events.add(() -> fire(l -> l.onFailOpenChanged(this, failingOpen)));
    }
    updateAnomalyTimer();
    runEvents(events);
  }

  /**
   * A selector from the group's algorithm; a rotating algorithm continues from the previous selector's position, so
   * that frequent snapshots do not restart round robin at the first target.
   */
  private TargetSelector newSelector(List<RegisteredTarget> targets, TargetSelector previous) {
    BalancingAlgorithm a = config.algorithm();
    return a instanceof ContinuingAlgorithm c ? c.newSelector(targets, previous) : a.newSelector(targets);
  }

  /** Whether {@code routable} of {@code candidates} targets is below the minimum healthy count or percentage. */
  private boolean belowThreshold(int routable, int candidates) {
    return routable < config.minimumHealthyTargetsCount()
        || (config.minimumHealthyTargetsPercentage() > 0
            && routable * 100L < (long) config.minimumHealthyTargetsPercentage() * candidates);
  }

  /**
   * One selector per zone that serves locally: its routable targets with a positive weight reach the minimum healthy
   * count and percentage, computed over the zone's own targets (ALB computes them per zone with cross-zone off).
   */
  private Map<String, TargetSelector> zoneSelectors(List<RegisteredTarget> candidates,
      Map<String, TargetSelector> previous) {
    Map<String, List<RegisteredTarget>> routableByZone = new LinkedHashMap<>();
    Map<String, Integer> candidatesByZone = new HashMap<>();
    for (RegisteredTarget t : candidates) {
      String zone = t.target().zone();
      if (zone == null) {
        continue;
      }
      candidatesByZone.merge(zone, 1, Integer::sum);
      List<RegisteredTarget> list = routableByZone.computeIfAbsent(zone, z -> new ArrayList<>());
      if (t.health().isRoutable() && t.target().weight() > 0) {
        list.add(t);
      }
    }
    Map<String, TargetSelector> out = new HashMap<>();
    for (Map.Entry<String, List<RegisteredTarget>> e : routableByZone.entrySet()) {
      List<RegisteredTarget> local = e.getValue();
      if (!local.isEmpty() && !belowThreshold(local.size(), candidatesByZone.get(e.getKey()))) {
        out.put(e.getKey(), newSelector(Collections.unmodifiableList(local),
            previous == null ? null : previous.get(e.getKey())));
      }
    }
    return out;
  }

  private void runEvents(List<Runnable> events) {
    for (Runnable r : events) {
      r.run();
    }
    events.clear();
  }

  private void fireHealth(DefaultRegisteredTarget t, TargetHealth before, TargetHealth after) {
    HealthChangeEvent e = new HealthChangeEvent(this, t.target(), before, after, clock.instant());
    fire(l -> l.onHealthChanged(e));
  }

  private void fire(java.util.function.Consumer<TargetGroupListener> call) {
    for (TargetGroupListener l : listenerArray) {
      try {
        call.accept(l);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "target group " + name() + ": listener failed", e);
      }
    }
  }

  void onRequestEnd(DefaultRegisteredTarget t, RequestOutcome outcome, long latencyNanos) {
    TargetGroupListener[] ls = listenerArray;
    for (TargetGroupListener l : ls) {
      try {
        l.onRequestEnd(t, outcome, latencyNanos);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "target group " + name() + ": listener failed", e);
      }
    }
  }

  @Override
  public boolean isFailingOpen() {
    return snapshot.failingOpen;
  }

  @Override
  public StickySessions stickySessions() {
    return stickySessions;
  }

  @Override
  public List<TargetHealthDescription> describeTargetHealth() {
    return snapshot.describeTargetHealth();
  }

  @Override
  public List<ZoneHealthDescription> describeZones() {
    return snapshot.describeZones();
  }

  @Override
  public Runnable addListener(TargetGroupListener listener) {
    Objects.requireNonNull(listener, "listener");
    lock.lock();
    try {
      listeners.add(listener);
      listenerArray = listeners.toArray(new TargetGroupListener[0]);
    } finally {
      lock.unlock();
    }
    return () -> {
      lock.lock();
      try {
        listeners.remove(listener);
        listenerArray = listeners.toArray(new TargetGroupListener[0]);
      } finally {
        lock.unlock();
      }
    };
  }

  @Override
  public Future<Void> close() {
    List<Runnable> events = new ArrayList<>();
    lock.lock();
    try {
      if (closed) {
        return Future.succeededFuture();
      }
      closed = true;
      if (slowStartTimer >= 0) {
        vertx.cancelTimer(slowStartTimer);
        slowStartTimer = -1;
      }
      if (anomalyTimer >= 0) {
        vertx.cancelTimer(anomalyTimer);
        anomalyTimer = -1;
      }
      for (DefaultRegisteredTarget t : new ArrayList<>(members.values())) {
        if (t.draining()) {
          removeNow(t, events);
        } else {
          cancelDrain(t);
          Promise<Void> p = t.drainPromise;
          if (p != null) {
            events.add(p::tryComplete); // re-registered while draining: the group goes away, so does the wait
          }
        }
      }
      publish(events);
    } finally {
      lock.unlock();
    }
    return Future.succeededFuture();
  }

  @Override
  public String toString() {
    return "TargetGroup{" + name() + ", " + snapshot.byId.size() + " targets}";
  }
}
