package dev.loadstar.healthcheck.internal;

import dev.loadstar.core.HealthChangeEvent;
import dev.loadstar.core.RegisteredTarget;
import dev.loadstar.core.RequestOutcome;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetGroupConfig;
import dev.loadstar.core.TargetGroupListener;
import dev.loadstar.core.TargetHealth;
import dev.loadstar.core.time.TimeSource;
import dev.loadstar.healthcheck.CheckListener;
import dev.loadstar.healthcheck.HealthCheck;
import dev.loadstar.healthcheck.HealthChecker;
import dev.loadstar.healthcheck.OutlierDetection;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The health checker: active checks and passive outlier detection for one target group, arbitrated into one health
 * value per target. This class follows the group's membership and owns the lifecycle; the work is done by
 * {@link ActiveChecks} (schedules, probes, state machines), {@link OutlierEjector} (passive health) and
 * {@link HealthUpdates} (arbitration and hand-over to the group), on {@link Timers} (one {@link TimeSource}).
 *
 * <p>Threading. Targets are spread by id over a few event-loop contexts ({@link Shard shards}, one per two cores by
 * default); everything that decides about a target (its schedule, its checks, its state machine, its ejections) runs
 * on its shard's context, so per-target state needs no lock. The group's listener callbacks hop onto the right
 * shard. The only shared decisions, the ejection cap and the concurrency cap, use atomics or a per-shard share.
 * {@link #onRequestEnd} runs on the request's thread and only records into the target's circuit breaker. Health
 * values are handed to the group off the event loops, in batches.
 */
public final class DefaultHealthChecker implements HealthChecker, TargetGroupListener {

  /** Shards (event-loop contexts) per checker: one per two cores (at least one), at most this many. */
  static final int MAX_SHARDS = 8;
  /**
   * System property overriding the number of shards (default: half the cores, at least 1, at most
   * {@value #MAX_SHARDS}). On the 2-core benchmark machine one shard did 10,000 checks/s with less CPU and lag than
   * two (see BENCHMARKS.md): the event loops also serve the application.
   */
  public static final String SHARDS_PROPERTY = "loadstar.healthcheck.eventLoops";

  private final TargetGroup group;
  private final HealthCheck healthCheck;
  private final OutlierDetection outlierDetection;
  private final Shard[] shards;
  private final Timers timers;
  private final HealthUpdates updates;
  /** Null when the group has no active checks. */
  private final ActiveChecks checks;
  /** Null when passive health is off. */
  private final OutlierEjector ejector;

  // Any thread.
  private final ConcurrentHashMap<RegisteredTarget, TargetState> byTarget = new ConcurrentHashMap<>();
  private final AtomicInteger tracked = new AtomicInteger();
  /** Set once, by {@link #close()}: every component stops deciding. */
  private final AtomicBoolean closing = new AtomicBoolean();
  private final Promise<Void> closePromise = Promise.promise();
  private volatile Runnable removeListener;

  private DefaultHealthChecker(Vertx vertx, TargetGroup group, HealthCheck healthCheck,
      OutlierDetection outlierDetection, TimeSource time) {
    this.group = group;
    this.healthCheck = healthCheck;
    this.outlierDetection = outlierDetection;
    int n = Math.max(1, Math.min(Math.min(Integer.getInteger(SHARDS_PROPERTY,
        Runtime.getRuntime().availableProcessors() / 2), MAX_SHARDS), healthCheck.maxConcurrentChecks()));
    this.shards = Shard.create(vertx, n);
    this.timers = new Timers(time);
    this.updates = new HealthUpdates(group, shards[0].context);
    this.checks = group.config().healthCheckEnabled()
        ? new ActiveChecks(vertx, group.name(), healthCheck,
            group.config().protocol() == TargetGroupConfig.Protocol.HTTPS,
            Math.max(1, healthCheck.maxConcurrentChecks() / shards.length), timers, updates, closing)
        : null;
    this.ejector = outlierDetection.enabled()
        ? new OutlierEjector(group.name(), outlierDetection, timers, updates, closing, tracked::get)
        : null;
  }

  /** Creates the checker on the system clock and Vert.x timers, and starts it. */
  public static DefaultHealthChecker start(Vertx vertx, TargetGroup group, HealthCheck healthCheck,
      OutlierDetection outlierDetection) {
    return start(vertx, group, healthCheck, outlierDetection, TimeSource.system(vertx));
  }

  /**
   * Creates the checker and starts it: targets already registered are picked up on the checker's contexts. Every
   * time reading and timer (check schedules, deadlines, ejections) goes through {@code time}.
   */
  public static DefaultHealthChecker start(Vertx vertx, TargetGroup group, HealthCheck healthCheck,
      OutlierDetection outlierDetection, TimeSource time) {
    Objects.requireNonNull(vertx, "vertx");
    Objects.requireNonNull(group, "group");
    Objects.requireNonNull(healthCheck, "healthCheck");
    Objects.requireNonNull(outlierDetection, "outlierDetection");
    Objects.requireNonNull(time, "time");
    DefaultHealthChecker checker = new DefaultHealthChecker(vertx, group, healthCheck, outlierDetection, time);
    checker.removeListener = group.addListener(checker);
    for (RegisteredTarget t : group.targets()) {
      checker.shardOf(t.target().id()).context.runOnContext(v -> checker.track(t));
    }
    return checker;
  }

  private Shard shardOf(String targetId) {
    return shards.length == 1 ? shards[0] : shards[Math.floorMod(targetId.hashCode(), shards.length)];
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Public surface

  @Override
  public TargetGroup group() {
    return group;
  }

  @Override
  public HealthCheck healthCheck() {
    return healthCheck;
  }

  @Override
  public OutlierDetection outlierDetection() {
    return outlierDetection;
  }

  @Override
  public boolean activeChecksEnabled() {
    return checks != null;
  }

  /** Timers the checker currently holds (check schedules, check deadlines, ejections); 0 after close. */
  public int liveTimers() {
    return timers.live();
  }

  /** Checks in flight now. */
  public int inFlightChecks() {
    int n = 0;
    for (Shard s : shards) {
      n += s.inFlight;
    }
    return n;
  }

  /**
   * Checks started whose target has no next check planned yet: in flight, or waiting for the health change they
   * caused to be applied. 0 means no check is under way (what a test on fake time waits for before moving time).
   */
  public int unsettledChecks() {
    return checks == null ? 0 : checks.unsettled();
  }

  /** The event-loop contexts the checker runs on. */
  public int shards() {
    return shards.length;
  }

  /** Targets currently followed (registered and not draining). */
  public int trackedTargets() {
    return tracked.get();
  }

  /** Targets currently ejected by outlier detection. */
  public int ejectedTargets() {
    return ejector == null ? 0 : ejector.ejected();
  }

  /** Ejections refused because the cap ({@code maxEjectionPercent}) was reached. */
  public long ejectionsRefusedByCap() {
    return ejector == null ? 0 : ejector.refusedByCap();
  }

  /** The state of the target's circuit breaker, or null when the target is not followed or passive health is off. */
  public CircuitBreaker.State breakerState(RegisteredTarget target) {
    TargetState s = byTarget.get(target);
    return s == null || s.breaker == null ? null : s.breaker.getState();
  }

  /** Sets (or clears, with null) the observer of finished checks; it is called on the checker's contexts. */
  public void probeListener(ProbeListener listener) {
    if (checks != null) {
      checks.probeListener(listener);
    }
  }

  @Override
  public Runnable addCheckListener(CheckListener listener) {
    Objects.requireNonNull(listener, "listener");
    return checks != null ? checks.addCheckListener(listener) : () -> { };
  }

  @Override
  public void onRequestEnd(RegisteredTarget target, RequestOutcome outcome, long latencyNanos) {
    if (ejector == null || outcome == RequestOutcome.CANCELLED || closing.get()) {
      return;
    }
    TargetState s = byTarget.get(target);
    if (s != null) {
      ejector.onRequestEnd(s, outcome, latencyNanos);
    }
  }

  @Override
  public Future<Void> close() {
    if (!closing.compareAndSet(false, true)) {
      return closePromise.future();
    }
    Runnable remove = removeListener;
    if (remove != null) {
      remove.run();
    }
    List<Future<Void>> shardsClosed = new ArrayList<>(shards.length);
    for (Shard shard : shards) {
      Promise<Void> p = Promise.promise();
      shard.context.runOnContext(v -> {
        closeShard(shard);
        p.complete();
      });
      shardsClosed.add(p.future());
    }
    Future.all(shardsClosed)
        .compose(v -> shards[0].context.executeBlocking(() -> {
          updates.drain();
          return null;
        }, true))
        .transform(ar -> checks != null ? checks.close() : Future.<Void>succeededFuture())
        .onComplete(ar -> closePromise.tryComplete());
    return closePromise.future();
  }

  /** Cancels the shard's timers and checks, ends its ejections (the active state applies again), closes idle links. */
  private void closeShard(Shard shard) {
    timers.cancelAll(shard);
    for (TargetState s : shard.byId.values()) {
      s.stopped = true;
      if (checks != null) {
        checks.abortCurrent(s);
      }
      if (ejector != null && ejector.release(s)) {
        updates.queue(s, null);
      }
      byTarget.remove(s.rt);
    }
    if (checks != null) {
      checks.closeShard(shard);
    }
    tracked.addAndGet(-shard.byId.size());
    shard.byId.clear();
    shard.waiting.clear();
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Group membership (listener callbacks hop to the target's shard)

  @Override
  public void onTargetRegistered(TargetGroup g, RegisteredTarget target) {
    shardOf(target.target().id()).context.runOnContext(v -> track(target));
  }

  @Override
  public void onTargetDraining(TargetGroup g, RegisteredTarget target) {
    shardOf(target.target().id()).context.runOnContext(v -> untrack(target));
  }

  @Override
  public void onTargetDeregistered(TargetGroup g, RegisteredTarget target) {
    shardOf(target.target().id()).context.runOnContext(v -> untrack(target));
  }

  @Override
  public void onHealthChanged(HealthChangeEvent event) {
    // Registering a draining target again stops the draining: follow it again.
    if (event.previous().state() == TargetHealth.State.DRAINING
        && event.current().state() != TargetHealth.State.UNUSED) {
      RegisteredTarget t = group.target(event.target().id());
      if (t != null) {
        shardOf(t.target().id()).context.runOnContext(v -> track(t));
      }
    }
  }

  private void track(RegisteredTarget rt) {
    if (closing.get() || !rt.isActive()) {
      return;
    }
    String id = rt.target().id();
    Shard shard = shardOf(id);
    TargetState old = shard.byId.get(id);
    if (old != null) {
      if (old.rt == rt) {
        return;
      }
      untrackState(old);
    }
    TargetState s = new TargetState(shard, rt, healthCheck.portFor(rt.target()));
    s.applied = rt.health();
    // active checks apply to instance and ip targets, and to function targets that enable them (see Target)
    boolean checked = checks != null && rt.target().healthCheckEnabled();
    if (checked) {
      checks.follow(s, startingHealth(rt.health()));
    }
    if (ejector != null) {
      ejector.follow(s);
    }
    shard.byId.put(id, s);
    byTarget.put(rt, s);
    if (checked) {
      checks.scheduleFirst(s);
    }
    tracked.incrementAndGet(); // last: a target counted as followed has its first check planned
  }

  /** A checker (re)started on a group keeps states that checks produced; anything else starts {@code initial}. */
  private static TargetHealth startingHealth(TargetHealth h) {
    if (h.state() == TargetHealth.State.HEALTHY) {
      return TargetHealth.HEALTHY;
    }
    if (h.state() == TargetHealth.State.UNHEALTHY && h.reason() != TargetHealth.Reason.TARGET_OUTLIER_EJECTED) {
      return h;
    }
    return TargetHealth.INITIAL;
  }

  private void untrack(RegisteredTarget rt) {
    TargetState s = shardOf(rt.target().id()).byId.get(rt.target().id());
    if (s != null && s.rt == rt) {
      untrackState(s);
    }
  }

  private void untrackState(TargetState s) {
    s.stopped = true; // its scheduled check, if any, finds it stopped
    if (ejector != null) {
      ejector.release(s);
    }
    if (checks != null) {
      checks.unfollow(s);
    }
    s.shard.byId.remove(s.id);
    byTarget.remove(s.rt);
    tracked.decrementAndGet();
    // An in-flight check ends on its own (bounded by the timeout); its result is ignored.
  }
}
