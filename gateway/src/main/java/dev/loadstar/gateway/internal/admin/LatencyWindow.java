package dev.loadstar.gateway.internal.admin;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Latencies of one target over a sliding window of whole seconds, for percentiles on a dashboard. Recording is
 * lock-free and allocation-free (one bucket increment: log-linear buckets with 8 per power of two, so a reported
 * percentile is at most 12.5 % above the true value); {@link #rotate()} (once a second, from one thread) closes the
 * current second and drops the oldest.
 */
public final class LatencyWindow {

  /** Sub-buckets per power of two (as a shift). */
  private static final int SUB_BITS = 3;
  private static final int SUB = 1 << SUB_BITS;
  /** Latencies are clamped to 2^27 µs (about 134 s). */
  private static final long MAX_MICROS = (1L << 27) - 1;
  /** Number of buckets. */
  static final int BUCKETS = index(MAX_MICROS) + 1;

  private final AtomicLongArray live = new AtomicLongArray(BUCKETS);
  private final long[][] seconds;
  private final long[] sum = new long[BUCKETS];
  private long total;
  private int next;

  /** A window of {@code seconds} seconds. */
  public LatencyWindow(int seconds) {
    this.seconds = new long[seconds][BUCKETS];
  }

  /** The bucket of a latency in microseconds. */
  static int index(long micros) {
    long v = Math.max(0, Math.min(micros, MAX_MICROS));
    if (v < SUB) {
      return (int) v;
    }
    int octave = 63 - Long.numberOfLeadingZeros(v);
    int sub = (int) ((v >>> (octave - SUB_BITS)) & (SUB - 1));
    return (octave - SUB_BITS + 1) * SUB + sub;
  }

  /** The largest latency in microseconds that falls in a bucket. */
  static long upperBound(int index) {
    if (index < SUB) {
      return index;
    }
    int octave = index / SUB + SUB_BITS - 1;
    int sub = index % SUB;
    long lower = (long) (SUB + sub) << (octave - SUB_BITS);
    return lower + (1L << (octave - SUB_BITS)) - 1;
  }

  /** Records one latency (any thread). */
  public void record(long latencyNanos) {
    live.incrementAndGet(index(latencyNanos / 1000));
  }

  /** Closes the current second into the window and drops the oldest second (one thread at a time). */
  public synchronized void rotate() {
    long[] oldest = seconds[next];
    for (int i = 0; i < BUCKETS; i++) {
      long n = live.getAndSet(i, 0);
      sum[i] += n - oldest[i];
      total += n - oldest[i];
      oldest[i] = n;
    }
    next = (next + 1) % seconds.length;
  }

  /** Latencies recorded in the window's closed seconds. */
  public synchronized long count() {
    return total;
  }

  /**
   * The {@code q} quantile (e.g. 0.99) of the window's closed seconds in microseconds (a bucket's upper bound), or
   * -1 when nothing was recorded.
   */
  public synchronized long quantileMicros(double q) {
    if (total == 0) {
      return -1;
    }
    long rank = Math.max(1, (long) Math.ceil(q * total));
    long seen = 0;
    for (int i = 0; i < BUCKETS; i++) {
      seen += sum[i];
      if (seen >= rank) {
        return upperBound(i);
      }
    }
    return upperBound(BUCKETS - 1);
  }
}
