package dev.loadstar.core.internal;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongSupplier;

/**
 * A retry budget over a sliding window: a retry is allowed while the retries in the window, this one included,
 * stay within {@code ratio * requests + minPerSecond * windowSeconds} (the request and retry counts are those of
 * the last {@value #WINDOW_SECONDS} seconds). So a healthy fleet may retry ~{@code ratio} of its requests plus a
 * small floor, and a dead fleet cannot turn every request into several.
 *
 * <p>Lock-free: one slot per second in a ring, each slot holding its epoch second, its request count and its
 * retry count. A slot is reset by the first thread that finds it stale; a count racing with that reset may be
 * lost, which only makes the budget slightly more or less generous for one second.
 *
 * <p>Every request is counted, so the ring is striped: {@value #STRIPES} rings, each on its own cache lines, a
 * thread counting in the ring its id picks; {@link #tryRetry()} (rare) adds up all of them. Threads of different
 * cores then seldom write the same line on every request.
 */
public final class RetryBudget {

  /** Length of the sliding window in seconds. */
  public static final int WINDOW_SECONDS = 10;

  private static final int SLOTS = WINDOW_SECONDS;
  private static final long NANOS_PER_SECOND = 1_000_000_000L;
  private static final int STRIPES = 4;
  /** Longs per stripe: 3 per slot, padded to a multiple of a 64-byte line. */
  private static final int STRIDE = 32;
  /** Padding before the first stripe, so it does not share a line with the array's header. */
  private static final int BASE = 8;

  private final double ratio;
  private final int minPerSecond;
  private final LongSupplier nanoClock;
  /** Stripe k, slot i: [at(k, i)] = epoch second, [at(k, i) + 1] = requests, [at(k, i) + 2] = retries. */
  private final AtomicLongArray slots = new AtomicLongArray(BASE + STRIPES * STRIDE + BASE);

  /** A budget allowing {@code ratio} of requests plus {@code minPerSecond} retries per second. */
  public RetryBudget(double ratio, int minPerSecond) {
    this(ratio, minPerSecond, System::nanoTime);
  }

  /** A budget reading time from {@code nanoClock} (for tests). */
  public RetryBudget(double ratio, int minPerSecond, LongSupplier nanoClock) {
    this.ratio = ratio;
    this.minPerSecond = minPerSecond;
    this.nanoClock = nanoClock;
    for (int k = 0; k < STRIPES; k++) {
      for (int i = 0; i < SLOTS; i++) {
        slots.set(at(k, i), Long.MIN_VALUE);
      }
    }
  }

  private static int at(int stripe, int slot) {
    return BASE + stripe * STRIDE + 3 * slot;
  }

  /** Records a request (a first attempt). */
  public void onRequest() {
    onRequest(nanoClock.getAsLong());
  }

  /** Records a request made at {@code nowNanos} (a reading of this budget's clock the caller already has). */
  public void onRequest(long nowNanos) {
    slot(Math.floorDiv(nowNanos, NANOS_PER_SECOND), 1);
  }

  /** Takes a retry from the budget; returns false, taking nothing, when the budget is spent. */
  public boolean tryRetry() {
    long now = nowSecond();
    long requests = sum(now, 1);
    long retries = sum(now, 2);
    double allowed = ratio * requests + (double) minPerSecond * WINDOW_SECONDS;
    if (retries + 1 > allowed) {
      return false;
    }
    slot(now, 2);
    return true;
  }

  /** Requests recorded in the current window. */
  public long requestsInWindow() {
    return sum(1);
  }

  /** Retries taken in the current window. */
  public long retriesInWindow() {
    return sum(2);
  }

  private long sum(int field) {
    return sum(nowSecond(), field);
  }

  private long sum(long now, int field) {
    long total = 0;
    for (int k = 0; k < STRIPES; k++) {
      for (int i = 0; i < SLOTS; i++) {
        int a = at(k, i);
        long second = slots.get(a);
        if (second > now - WINDOW_SECONDS && second <= now) {
          total += slots.get(a + field);
        }
      }
    }
    return total;
  }

  private long nowSecond() {
    return Math.floorDiv(nanoClock.getAsLong(), NANOS_PER_SECOND);
  }

  private void slot(long second, int field) {
    int a = at((int) Thread.currentThread().getId() & (STRIPES - 1), (int) Math.floorMod(second, (long) SLOTS));
    long stamp = slots.get(a);
    if (stamp != second) {
      if (stamp < second && slots.compareAndSet(a, stamp, second)) {
        slots.set(a + 1, 0);
        slots.set(a + 2, 0);
      } else if (slots.get(a) != second) {
        return; // a stale clock reading; drop the count
      }
    }
    slots.incrementAndGet(a + field);
  }
}
