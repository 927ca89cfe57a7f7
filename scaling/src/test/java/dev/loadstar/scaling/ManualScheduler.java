package dev.loadstar.scaling;

import dev.loadstar.scaling.internal.Scheduler;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A scheduler whose time moves only when the test calls {@link #advance}: due timers run in order on the context
 * that set them, and the test thread waits until each has run (and what it queued on that context).
 */
final class ManualScheduler implements Scheduler {

  private record Task(long id, long dueNanos, Context context, Runnable task) {
  }

  private final Instant origin;
  private final PriorityQueue<Task> tasks = new PriorityQueue<>(
      Comparator.comparingLong(Task::dueNanos).thenComparingLong(Task::id));
  private long now;
  private long nextId = 1;

  ManualScheduler(Instant origin) {
    this.origin = origin;
  }

  /** A wall clock that shows the origin plus the virtual time. */
  Clock clock() {
    return new Clock() {
      @Override
      public ZoneOffset getZone() {
        return ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(java.time.ZoneId zone) {
        return this;
      }

      @Override
      public Instant instant() {
        return origin.plusNanos(nanoTime());
      }
    };
  }

  @Override
  public synchronized long nanoTime() {
    return now;
  }

  @Override
  public synchronized long schedule(long delayMs, Runnable task) {
    Context ctx = Vertx.currentContext();
    if (ctx == null) {
      throw new IllegalStateException("timers are set from a Vert.x context");
    }
    long id = nextId++;
    tasks.add(new Task(id, now + TimeUnit.MILLISECONDS.toNanos(Math.max(1, delayMs)), ctx, task));
    return id;
  }

  @Override
  public synchronized void cancel(long timerId) {
    tasks.removeIf(t -> t.id() == timerId);
  }

  /** Moves time forward, running every timer that falls due, in order. Call from the test thread. */
  void advance(Duration by) {
    long target;
    synchronized (this) {
      target = now + by.toNanos();
    }
    for (;;) {
      Task next;
      synchronized (this) {
        next = tasks.peek();
        if (next == null || next.dueNanos() > target) {
          now = target;
          return;
        }
        tasks.poll();
        now = next.dueNanos();
      }
      runAndSettle(next.context(), next.task());
    }
  }

  /** Runs the task on its context, then waits for a few round trips so that what it queued has run too. */
  private static void runAndSettle(Context ctx, Runnable task) {
    CompletableFuture<Void> ran = new CompletableFuture<>();
    ctx.runOnContext(v -> {
      try {
        task.run();
      } finally {
        ran.complete(null);
      }
    });
    ran.join();
    for (int i = 0; i < 3; i++) {
      CompletableFuture<Void> idle = new CompletableFuture<>();
      ctx.runOnContext(v -> idle.complete(null));
      idle.join();
    }
  }
}
