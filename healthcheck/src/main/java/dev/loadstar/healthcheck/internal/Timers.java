package dev.loadstar.healthcheck.internal;

import dev.loadstar.core.time.TimeSource;
import java.util.ArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The checker's clock and timers: every time reading and every timer goes through here, on one {@link TimeSource}
 * (the system clock and Vert.x timers, or a manual one in tests), and timers are counted so that {@code close()} can
 * prove none is left. Called on a shard's context, a timer fires on that context.
 */
final class Timers {

  private final TimeSource time;
  private final AtomicInteger live = new AtomicInteger();

  Timers(TimeSource time) {
    this.time = time;
  }

  /** Now, in the time source's monotonic nanoseconds. */
  long nanoTime() {
    return time.nanoTime();
  }

  /** Timers set and neither fired nor cancelled. */
  int live() {
    return live.get();
  }

  /**
   * Runs {@code task} on the shard at {@code dueNanos} (or within the next millisecond if that is past) and returns
   * the time it is planned for. Tasks due in the same millisecond share one timer: with thousands of targets this
   * turns two timers per check (its start, its deadline) into at most one per millisecond. Tasks are not cancelled;
   * each checks on its own whether it is still wanted. Called on the shard's context.
   */
  long at(Shard shard, long dueNanos, Runnable task) {
    long nowMs = Math.floorDiv(time.nanoTime(), 1_000_000L);
    long key = Math.max(nowMs + 1, -Math.floorDiv(-dueNanos, 1_000_000L));
    Bucket b = shard.buckets.get(key);
    if (b == null) {
      Bucket created = new Bucket();
      created.timerId = timer(key - nowMs, () -> {
        shard.buckets.remove(key);
        for (Runnable r : created.tasks) {
          r.run();
        }
      });
      shard.buckets.put(key, created);
      b = created;
    }
    b.tasks.add(task);
    return key * 1_000_000L;
  }

  /** Runs {@code task} once after {@code delayMs} (at least 1) milliseconds; returns the id to cancel it with. */
  long timer(long delayMs, Runnable task) {
    live.incrementAndGet();
    return time.setTimer(Math.max(1, delayMs), () -> {
      live.decrementAndGet();
      task.run();
    });
  }

  /** Cancels a timer (ids below 0 mean none). */
  void cancel(long timerId) {
    if (timerId >= 0 && time.cancelTimer(timerId)) {
      live.decrementAndGet();
    }
  }

  /** Cancels the shard's bucket timers with the tasks they hold. Called on the shard's context. */
  void cancelAll(Shard shard) {
    for (Bucket b : shard.buckets.values()) {
      cancel(b.timerId);
    }
    shard.buckets.clear();
  }

  /** Tasks due in the same millisecond, and the timer that runs them. */
  static final class Bucket {
    final ArrayList<Runnable> tasks = new ArrayList<>(4);
    long timerId;
  }
}
