package dev.loadstar.healthcheck.internal;

import dev.loadstar.core.Target;
import dev.loadstar.core.TargetHealth;
import dev.loadstar.healthcheck.CheckListener;
import dev.loadstar.healthcheck.HealthCheck;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The active check cycle of every checked target: when its checks run, which probe runs them, the deadline, the cap
 * on checks in flight, and feeding each verdict to the target's state machine ({@link ActiveHealth}).
 *
 * <p>One check per target at a time. The next check is planned one interval after the previous one was planned,
 * stretched or shrunk by up to {@link #JITTER} at random, and is scheduled only once the health change its previous
 * check caused has been applied, so a check's effect is visible in the group before the next check of that target.
 * Everything about a target runs on its shard's context.
 */
final class ActiveChecks {

  private static final System.Logger LOG = System.getLogger(ActiveChecks.class.getName());

  /** Each interval is stretched or shrunk by up to this share, at random. */
  static final double JITTER = 0.1;
  /** A new target's first check runs within this time (or within one interval if shorter). */
  static final long FIRST_CHECK_SPREAD_MS = 1000;

  private final String groupName;
  private final HealthCheck healthCheck;
  private final long intervalNanos;
  private final long timeoutNanos;
  private final int maxInFlightPerShard;
  private final Timers timers;
  private final HealthUpdates updates;
  private final AtomicBoolean closing;
  /** HTTP(S)/gRPC or TCP, as the settings say, for instance and ip targets. */
  private final Probe network;
  private final Probe function;
  /** Checks started whose target has no next check planned yet (in flight, or waiting for their health hand-over). */
  private final AtomicInteger unsettled = new AtomicInteger();
  private volatile ProbeListener probeListener;
  private final CopyOnWriteArrayList<CheckListener> checkListeners = new CopyOnWriteArrayList<>();

  ActiveChecks(Vertx vertx, String groupName, HealthCheck healthCheck, boolean targetsSpeakTls,
      int maxInFlightPerShard, Timers timers, HealthUpdates updates, AtomicBoolean closing) {
    this.groupName = groupName;
    this.healthCheck = healthCheck;
    this.intervalNanos = healthCheck.interval().toNanos();
    this.timeoutNanos = healthCheck.timeout().toNanos();
    this.maxInFlightPerShard = maxInFlightPerShard;
    this.timers = timers;
    this.updates = updates;
    this.closing = closing;
    this.network = healthCheck.protocol() == HealthCheck.Protocol.TCP
        ? new TcpProbe(vertx, healthCheck.timeout().toMillis(), this::finish)
        : new HttpProbe(vertx, groupName, healthCheck, targetsSpeakTls, closing, this::finish);
    this.function = new FunctionProbe(vertx, healthCheck, this::finish);
  }

  void probeListener(ProbeListener listener) {
    this.probeListener = listener;
  }

  /** Checks started whose target has no next check planned yet; 0 when nothing is under way. */
  int unsettled() {
    return unsettled.get();
  }

  Runnable addCheckListener(CheckListener listener) {
    checkListeners.add(listener);
    return () -> checkListeners.remove(listener);
  }

  /** Starts checking a newly followed target: its probe, its state machine, its first check. On its shard. */
  void follow(TargetState s, TargetHealth start) {
    s.probe = s.rt.target().kind() == Target.Kind.FUNCTION ? function : network;
    s.probe.attach(s);
    s.machine = new ActiveHealth(healthCheck.healthyThresholdCount(), healthCheck.unhealthyThresholdCount(), start);
  }

  /** Plans a followed target's first check within {@code min(interval, 1 s)}, at random. On its shard. */
  void scheduleFirst(TargetState s) {
    long spread = Math.min(healthCheck.interval().toMillis(), FIRST_CHECK_SPREAD_MS);
    long delayMs = ThreadLocalRandom.current().nextLong(spread);
    s.plannedNanos = timers.at(s.shard, timers.nanoTime() + delayMs * 1_000_000L, () -> due(s));
  }

  /** Stops checking the target (an in-flight check ends on its own, its result ignored). On its shard. */
  void unfollow(TargetState s) {
    if (s.probe != null) {
      s.probe.detach(s);
    }
  }

  /** Ends the target's check in flight, if any, without a verdict (the checker is closing). On its shard. */
  void abortCurrent(TargetState s) {
    Attempt a = s.current;
    if (a != null) {
      if (!a.done) {
        a.done = true; // a connection still being set up for it will not be used to send it
        s.shard.inFlight--;
        unsettled.decrementAndGet();
      }
      s.current = null;
      a.abort();
    }
  }

  /** Releases the shard's idle connections (the checker is closing). On the shard. */
  void closeShard(Shard shard) {
    network.closeShard(shard);
  }

  Future<Void> close() {
    List<Future<?>> closing = new ArrayList<>(2);
    closing.add(network.close());
    closing.add(function.close());
    return Future.join(closing).mapEmpty();
  }

  private void due(TargetState s) {
    if (closing.get() || s.stopped) {
      return;
    }
    Shard shard = s.shard;
    if (shard.inFlight >= maxInFlightPerShard) {
      shard.waiting.add(s);
      return;
    }
    startCheck(s);
  }

  private void startCheck(TargetState s) {
    unsettled.incrementAndGet();
    s.shard.inFlight++;
    Attempt a = new Attempt(s, s.plannedNanos, timers.nanoTime());
    s.current = a;
    timers.at(s.shard, a.startNanos + timeoutNanos, () -> {
      if (!a.done) {
        finish(a, CheckVerdicts.TIMED_OUT);
        a.abort();
      }
    });
    try {
      s.probe.check(a);
    } catch (RuntimeException e) {
      // e.g. the client was closed because Vert.x is closing underneath the checker
      finish(a, CheckVerdicts.classify(e, false));
    }
  }

  /** The end of a check: frees its slot, feeds the state machine, applies a change, schedules the next one. */
  private void finish(Attempt a, TargetHealth failure) {
    if (a.done) {
      return;
    }
    a.done = true; // its deadline, if still pending, finds it done
    TargetState s = a.state;
    Shard shard = s.shard;
    shard.inFlight--;
    if (s.current == a) {
      s.current = null;
    }
    startWaiting(shard);
    if (closing.get() || s.stopped) {
      unsettled.decrementAndGet();
      return;
    }
    boolean changed = failure == null ? s.machine.onSuccess() : s.machine.onFailure(failure);
    ProbeListener l = probeListener;
    if (l != null) {
      l.onProbe(s.rt, a.plannedNanos, a.startNanos, timers.nanoTime(), failure, s.machine.health());
    }
    if (!checkListeners.isEmpty()) {
      TargetHealth activeHealth = s.machine.health();
      for (CheckListener cl : checkListeners) {
        try {
          cl.onCheck(s.rt, failure, activeHealth);
        } catch (RuntimeException e) {
          LOG.log(System.Logger.Level.WARNING, "target group " + groupName + ": check listener failed", e);
        }
      }
    }
    if (changed) {
      updates.apply(s, () -> scheduleNext(s));
    } else {
      scheduleNext(s);
    }
  }

  private void startWaiting(Shard shard) {
    while (shard.inFlight < maxInFlightPerShard && !shard.waiting.isEmpty()) {
      TargetState next = shard.waiting.poll();
      if (!next.stopped && !closing.get()) {
        startCheck(next);
      }
    }
  }

  /** The next check starts one (jittered) interval after the previous one was planned, never before it ended. */
  private void scheduleNext(TargetState s) {
    if (!closing.get() && !s.stopped) {
      double factor = 1 + JITTER * (2 * ThreadLocalRandom.current().nextDouble() - 1);
      s.plannedNanos = timers.at(s.shard, s.plannedNanos + (long) (intervalNanos * factor), () -> due(s));
    }
    unsettled.decrementAndGet();
  }
}
