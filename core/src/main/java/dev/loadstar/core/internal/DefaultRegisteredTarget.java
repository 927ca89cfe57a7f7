package dev.loadstar.core.internal;

import dev.loadstar.core.RegisteredTarget;
import dev.loadstar.core.RequestOutcome;
import dev.loadstar.core.Target;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetHealth;
import io.vertx.core.Promise;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * A target's membership in one group. Fields written by the group's writer are volatile; request accounting is
 * lock-free and allocation-free.
 */
public final class DefaultRegisteredTarget implements RegisteredTarget {

  /** Set in {@link #state} once the target has left the group: no new request may start. */
  static final int CLOSED = 1 << 30;
  private static final int COUNT_MASK = CLOSED - 1;
  private static final VarHandle STATE;
  private static final VarHandle EWMA;

  static {
    try {
      MethodHandles.Lookup l = MethodHandles.lookup();
      STATE = l.findVarHandle(DefaultRegisteredTarget.class, "state", int.class);
      EWMA = l.findVarHandle(DefaultRegisteredTarget.class, "ewmaNanos", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** Decay time of the latency EWMA (10 s, as Finagle's peak EWMA). */
  public static final double EWMA_DECAY_NANOS = 10_000_000_000.0;

  private final DefaultTargetGroup group;
  private volatile Target target;
  private volatile TargetHealth health;
  private volatile boolean draining;
  private volatile int state;
  private volatile long ewmaNanos;
  private volatile long ewmaStampNanos;
  private final LongAdder requests = new LongAdder();
  private final LongAdder failures = new LongAdder();
  /** Requests and failures since the anomaly detector last looked. */
  final LongAdder windowRequests = new LongAdder();
  final LongAdder windowFailures = new LongAdder();

  // Written by the group's writer only.
  volatile double selectionWeight;
  volatile long slowStartBeginNanos = -1;
  volatile double anomalyFactor = 1.0;
  volatile boolean anomalous;
  /** Targets registered by the same call share a batch (slow start: none of a first batch enters it). */
  long registrationBatch;
  /** True until the target's first transition to healthy (routable) after registration. */
  boolean awaitingFirstHealthy = true;
  long drainTimerId = -1;
  Promise<Void> drainPromise;
  final long registeredAtNanos;
  /** Actions that cut requests in flight when the deregistration delay elapses ({@link #onDrainTimeout}). */
  private final Set<Runnable> drainCuts = ConcurrentHashMap.newKeySet();
  /** Set once the deregistration delay elapsed with requests in flight: later registrations run at once. */
  private volatile boolean drainTimedOut;

  DefaultRegisteredTarget(DefaultTargetGroup group, Target target, TargetHealth health, long nowNanos) {
    this.group = group;
    this.target = target;
    this.health = health;
    this.selectionWeight = target.weight();
    this.registeredAtNanos = nowNanos;
  }

  @Override
  public Target target() {
    return target;
  }

  void target(Target t) {
    this.target = t;
  }

  @Override
  public TargetGroup group() {
    return group;
  }

  @Override
  public TargetHealth health() {
    return health;
  }

  void health(TargetHealth h) {
    this.health = h;
  }

  boolean draining() {
    return draining;
  }

  void draining(boolean d) {
    this.draining = d;
  }

  @Override
  public boolean isActive() {
    return !draining && (state & CLOSED) == 0;
  }

  @Override
  public int inFlight() {
    return state & COUNT_MASK;
  }

  @Override
  public double selectionWeight() {
    return selectionWeight;
  }

  @Override
  public long latencyEwmaNanos() {
    return ewmaNanos;
  }

  /**
   * The peak-EWMA latency decayed to {@code nowNanos}, as if a zero-latency sample arrived now (Finagle's reading):
   * it falls toward zero while no request ends, so a target that was slow is tried again. 0 before any sample.
   */
  public long latencyEwmaNanos(long nowNanos) {
    long v = ewmaNanos;
    long elapsed = nowNanos - ewmaStampNanos;
    if (v == 0 || elapsed <= 0) {
      return v;
    }
    return Math.max(1, (long) (v * Math.exp(-elapsed / EWMA_DECAY_NANOS)));
  }

  /** When the latency estimate last took a sample ({@code System.nanoTime()}); the estimate decays from there. */
  public long latencyStampNanos() {
    return ewmaStampNanos;
  }

  @Override
  public long requestCount() {
    return requests.sum();
  }

  @Override
  public long failureCount() {
    return failures.sum();
  }

  /** Whether the anomaly detector currently finds this target anomalous. */
  public boolean anomalous() {
    return anomalous;
  }

  /** Whether anomaly mitigation currently reduces this target's weight. */
  public boolean mitigationInEffect() {
    return anomalyFactor < 1.0;
  }

  @Override
  public boolean tryStartRequest() {
    for (;;) {
      int s = state;
      if ((s & CLOSED) != 0) {
        return false;
      }
      if (STATE.compareAndSet(this, s, s + 1)) {
        return true;
      }
    }
  }

  @Override
  public void endRequest(RequestOutcome outcome, long latencyNanos) {
    int after = (int) STATE.getAndAdd(this, -1) - 1;
    requests.increment();
    windowRequests.increment();
    if (outcome.isFailure()) {
      failures.increment();
      windowFailures.increment();
    }
    if (outcome != RequestOutcome.CANCELLED && latencyNanos > 0) {
      recordLatency(latencyNanos);
    }
    group.onRequestEnd(this, outcome, latencyNanos);
    if (draining && (after & COUNT_MASK) == 0) {
      group.onDrainedIdle(this);
    }
  }

  /** Peak-EWMA: a sample above the average replaces it at once; below, it decays in with time. */
  private void recordLatency(long sampleNanos) {
    long now = System.nanoTime();
    long previous = ewmaNanos;
    long next;
    if (previous == 0 || sampleNanos > previous) {
      next = sampleNanos;
    } else {
      double elapsed = Math.max(0, now - ewmaStampNanos);
      double w = Math.exp(-elapsed / EWMA_DECAY_NANOS);
      next = (long) (previous * w + sampleNanos * (1 - w));
    }
    EWMA.setOpaque(this, next);
    ewmaStampNanos = now;
  }

  @Override
  public Runnable onDrainTimeout(Runnable cut) {
    drainCuts.add(cut);
    if (drainTimedOut && drainCuts.remove(cut)) {
      runCut(cut);
    }
    return () -> drainCuts.remove(cut);
  }

  /** The deregistration delay elapsed with requests in flight: runs every registered cut action once. */
  void drainTimedOut() {
    drainTimedOut = true;
    for (Runnable cut : drainCuts) {
      if (drainCuts.remove(cut)) {
        runCut(cut);
      }
    }
  }

  private void runCut(Runnable cut) {
    try {
      cut.run();
    } catch (RuntimeException e) {
      System.getLogger(DefaultRegisteredTarget.class.getName()).log(System.Logger.Level.WARNING,
          "target " + target.id() + ": drain timeout action failed", e);
    }
  }

  /** Marks the target closed if nothing is in flight; returns whether it did. */
  boolean closeIfIdle() {
    return STATE.compareAndSet(this, 0, CLOSED);
  }

  /** Marks the target closed whatever is in flight. */
  void forceClose() {
    for (;;) {
      int s = state;
      if ((s & CLOSED) != 0 || STATE.compareAndSet(this, s, s | CLOSED)) {
        return;
      }
    }
  }

  @Override
  public String toString() {
    return target + " " + health.state().apiName() + " inFlight=" + inFlight();
  }
}
