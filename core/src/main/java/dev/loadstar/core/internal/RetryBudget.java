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
 */
public final class RetryBudget {

  /** Length of the sliding window in seconds. */
  public static final int WINDOW_SECONDS = 10;

  private static final int SLOTS = WINDOW_SECONDS;
  private static final long NANOS_PER_SECOND = 1_000_000_000L;

  private final double ratio;
  private final int minPerSecond;
  private final LongSupplier nanoClock;
  /** Per slot: [3 * i] = epoch second, [3 * i + 1] = requests, [3 * i + 2] = retries. */
  private final AtomicLongArray slots = new AtomicLongArray(SLOTS * 3);

  /** A budget allowing {@code ratio} of requests plus {@code minPerSecond} retries per second. */
  public RetryBudget(double ratio, int minPerSecond) {
    this(ratio, minPerSecond, System::nanoTime);
  }

  /** A budget reading time from {@code nanoClock} (for tests). */
  public RetryBudget(double ratio, int minPerSecond, LongSupplier nanoClock) {
    this.ratio = ratio;
    this.minPerSecond = minPerSecond;
    this.nanoClock = nanoClock;
    for (int i = 0; i < SLOTS; i++) {
      slots.set(3 * i, Long.MIN_VALUE);
    }
  }

  /** Records a request (a first attempt). */
  public void onRequest() {
    slot(nowSecond(), 1);
  }

  /** Takes a retry from the budget; returns false, taking nothing, when the budget is spent. */
  public boolean tryRetry() {
    long now = nowSecond();
    long requests = 0;
    long retries = 0;
    for (int i = 0; i < SLOTS; i++) {
      long second = slots.get(3 * i);
      if (second > now - WINDOW_SECONDS && second <= now) {
        requests += slots.get(3 * i + 1);
        retries += slots.get(3 * i + 2);
      }
    }
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
    long now = nowSecond();
    long total = 0;
    for (int i = 0; i < SLOTS; i++) {
      long second = slots.get(3 * i);
      if (second > now - WINDOW_SECONDS && second <= now) {
        total += slots.get(3 * i + field);
      }
    }
    return total;
  }

  private long nowSecond() {
    return Math.floorDiv(nanoClock.getAsLong(), NANOS_PER_SECOND);
  }

  private void slot(long second, int field) {
    int i = (int) Math.floorMod(second, (long) SLOTS);
    long stamp = slots.get(3 * i);
    if (stamp != second) {
      if (stamp < second && slots.compareAndSet(3 * i, stamp, second)) {
        slots.set(3 * i + 1, 0);
        slots.set(3 * i + 2, 0);
      } else if (slots.get(3 * i) != second) {
        return; // a stale clock reading; drop the count
      }
    }
    slots.incrementAndGet(3 * i + field);
  }
}
