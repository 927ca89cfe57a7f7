package dev.loadstar.core.internal;

import dev.loadstar.core.RegisteredTarget;
import dev.loadstar.core.RequestOutcome;
import dev.loadstar.core.Target;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetHealth;
import io.vertx.core.Promise;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * A target's membership in one group. Fields written by the group's writer are volatile; request accounting is
 * lock-free and allocation-free.
 */
public final class DefaultRegisteredTarget implements RegisteredTarget {

  private static final VarHandle EWMA;

  static {
    try {
      EWMA = MethodHandles.lookup().findVarHandle(DefaultRegisteredTarget.class, "ewmaNanos", long.class);
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
  /** The group's accounting table and this target's slot in it: in-flight count, closed bit and generation. */
  private final InFlightTable table;
  private final int slot;
  private final long[] page;
  private final int index;
  /** The slot's generation while this target owns it (the word's high 32 bits). */
  private final long generation;
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
  private final DrainCuts drainCuts = new DrainCuts();
  /** Set once the deregistration delay elapsed with requests in flight: later registrations run at once. */
  private volatile boolean drainTimedOut;

  DefaultRegisteredTarget(DefaultTargetGroup group, Target target, TargetHealth health, long nowNanos) {
    this.group = group;
    this.target = target;
    this.health = health;
    this.selectionWeight = target.weight();
    this.registeredAtNanos = nowNanos;
    this.table = group.inFlightTable();
    this.slot = table.take();
    this.page = table.pages()[slot >>> InFlightTable.PAGE_SHIFT];
    this.index = slot & InFlightTable.PAGE_MASK;
    this.generation = word() & ~InFlightTable.LOW;
  }

  /** The group's in-flight table, whose slot {@link #inFlightSlot()} holds this target's count. */
  public InFlightTable inFlightTable() {
    return table;
  }

  /** This target's slot in {@link #inFlightTable()} (given to another target once this one has left and drained). */
  public int inFlightSlot() {
    return slot;
  }

  private long word() {
    return (long) InFlightTable.WORD.getVolatile(page, index);
  }

  /** Whether {@code w} is this target's word and not closed. */
  private boolean open(long w) {
    return (w & ~InFlightTable.LOW) == generation && ((int) w & InFlightTable.CLOSED) == 0;
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
    return !draining && open(word());
  }

  @Override
  public int inFlight() {
    long w = word();
    return (w & ~InFlightTable.LOW) == generation ? InFlightTable.count(w) : 0;
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
      long w = word();
      if (!open(w)) {
        return false;
      }
      if (InFlightTable.WORD.compareAndSet(page, index, w, w + 1)) {
        return true;
      }
    }
  }

  @Override
  public void endRequest(RequestOutcome outcome, long latencyNanos) {
    long after = decrement();
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
    if (draining && after >= 0 && InFlightTable.count(after) == 0) {
      group.onDrainedIdle(this);
    }
  }

  /** Takes one request off the count; returns the new word, or -1 if there was none to take (a misuse). */
  private long decrement() {
    for (;;) {
      long w = word();
      if ((w & ~InFlightTable.LOW) != generation || InFlightTable.count(w) == 0) {
        return -1;
      }
      if (InFlightTable.WORD.compareAndSet(page, index, w, w - 1)) {
        return w - 1;
      }
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
      double x = Math.max(0, now - ewmaStampNanos) / EWMA_DECAY_NANOS;
      // samples less than 0.1 s apart (the busy case): e^-x = 1 - x to within 0.005%, without an exponential
      double w = x < 0.01 ? 1 - x : Math.exp(-x);
      next = (long) (previous * w + sampleNanos * (1 - w));
    }
    EWMA.setOpaque(this, next);
    ewmaStampNanos = now;
  }

  @Override
  public Runnable onDrainTimeout(Runnable cut) {
    DrainCuts.Entry entry = drainCuts.add(cut);
    if (drainTimedOut && entry.remove()) {
      runCut(cut);
    }
    return entry;
  }

  /** The deregistration delay elapsed with requests in flight: runs every registered cut action once. */
  void drainTimedOut() {
    drainTimedOut = true;
    for (Runnable cut : drainCuts.removeAll()) {
      runCut(cut);
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
    if (InFlightTable.WORD.compareAndSet(page, index, generation, generation | InFlightTable.CLOSED)) {
      table.giveBack(slot);
      return true;
    }
    return false;
  }

  /** Marks the target closed whatever is in flight. */
  void forceClose() {
    for (;;) {
      long w = word();
      if (!open(w)) {
        return;
      }
      if (InFlightTable.WORD.compareAndSet(page, index, w, w | InFlightTable.CLOSED)) {
        table.giveBack(slot);
        return;
      }
    }
  }

  @Override
  public String toString() {
    return target + " " + health.state().apiName() + " inFlight=" + inFlight();
  }

  /**
   * The cut actions of requests in flight. Every attempt adds one and removes it when it ends, from the thread
   * that runs it, so the set is striped by thread: a few arrays, each made on first use and guarded by its own
   * (almost always uncontended) monitor. An entry knows its index, so removing it is a swap with the last one: no
   * hashing, no shared counter, and the entry is the handle the caller gets back.
   */
  private static final class DrainCuts {
    private static final int STRIPES = 8;
    private final AtomicReferenceArray<Stripe> stripes = new AtomicReferenceArray<>(STRIPES);

    /** One stripe's entries, in {@code entries[0, size)}. */
    private static final class Stripe {
      Entry[] entries = new Entry[4];
      int size;
    }

    /** A registered action; running it removes it. */
    private static final class Entry implements Runnable {
      final Stripe stripe;
      final Runnable cut;
      /** Index in the stripe, -1 once removed (guarded by the stripe). */
      int index;

      Entry(Stripe stripe, Runnable cut) {
        this.stripe = stripe;
        this.cut = cut;
      }

      @Override
      public void run() {
        remove();
      }

      /** Removes the entry; returns whether it was still there (whoever removes it runs it, if anyone does). */
      boolean remove() {
        Stripe st = stripe;
        synchronized (st) {
          int i = index;
          if (i < 0) {
            return false;
          }
          Entry last = st.entries[--st.size];
          st.entries[i] = last;
          last.index = i;
          st.entries[st.size] = null;
          index = -1;
          return true;
        }
      }
    }

    /** Adds {@code cut}; the entry returned removes it. */
    Entry add(Runnable cut) {
      int k = (int) Thread.currentThread().getId() & (STRIPES - 1);
      Stripe st = stripes.get(k);
      if (st == null) {
        stripes.compareAndSet(k, null, new Stripe());
        st = stripes.get(k);
      }
      Entry e = new Entry(st, cut);
      synchronized (st) {
        if (st.size == st.entries.length) {
          st.entries = Arrays.copyOf(st.entries, st.size * 2);
        }
        e.index = st.size;
        st.entries[st.size++] = e;
      }
      return e;
    }

    /** Removes and returns every action. */
    List<Runnable> removeAll() {
      List<Runnable> out = new ArrayList<>();
      for (int k = 0; k < STRIPES; k++) {
        Stripe st = stripes.get(k);
        if (st != null) {
          synchronized (st) {
            for (int i = 0; i < st.size; i++) {
              out.add(st.entries[i].cut);
              st.entries[i].index = -1;
              st.entries[i] = null;
            }
            st.size = 0;
          }
        }
      }
      return out;
    }
  }
}
