package dev.loadstar.core.time;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Time that moves only when {@link #advance} is called: for tests of state machines that depend on time. Timers
 * due by the new time run in due-time order (ties in the order they were set), each on the Vert.x context that set
 * it ({@code advance} waits for it), or on the calling thread when it was set outside a context. A timer set by a
 * running task is due relative to the time of that task, so chains of timers run within one {@code advance}.
 */
public final class ManualTimeSource implements TimeSource {

  /** How long {@link #advance} waits for one task on its context. */
  private static final long TASK_WAIT_SECONDS = 30;

  private final Object lock = new Object();
  private final PriorityQueue<Entry> timers = new PriorityQueue<>();
  private final AtomicLong ids = new AtomicLong();
  private long nowNanos;
  private final long epochMillisAtZero;

  /** Time starting at {@code nanoTime() == 0} and the current wall-clock time. */
  public ManualTimeSource() {
    this(System.currentTimeMillis());
  }

  /** Time starting at {@code nanoTime() == 0} and {@code currentTimeMillis() == epochMillis}. */
  public ManualTimeSource(long epochMillis) {
    this.epochMillisAtZero = epochMillis;
  }

  private record Entry(long dueNanos, long id, Runnable task, Context context) implements Comparable<Entry> {
    @Override
    public int compareTo(Entry o) {
      int c = Long.compare(dueNanos, o.dueNanos);
      return c != 0 ? c : Long.compare(id, o.id);
    }
  }

  @Override
  public long nanoTime() {
    synchronized (lock) {
      return nowNanos;
    }
  }

  @Override
  public long currentTimeMillis() {
    synchronized (lock) {
      return epochMillisAtZero + TimeUnit.NANOSECONDS.toMillis(nowNanos);
    }
  }

  @Override
  public long setTimer(long delayMs, Runnable task) {
    long id = ids.incrementAndGet();
    synchronized (lock) {
      timers.add(new Entry(nowNanos + TimeUnit.MILLISECONDS.toNanos(Math.max(1, delayMs)), id, task,
          Vertx.currentContext()));
    }
    return id;
  }

  @Override
  public boolean cancelTimer(long timerId) {
    synchronized (lock) {
      return timers.removeIf(e -> e.id == timerId);
    }
  }

  /** Timers set and not yet run or cancelled. */
  public int pendingTimers() {
    synchronized (lock) {
      return timers.size();
    }
  }

  /** The delays, from now, of the pending timers, soonest first. */
  public List<Duration> pendingDelays() {
    synchronized (lock) {
      List<Duration> out = new ArrayList<>();
      timers.stream().sorted().forEach(e -> out.add(Duration.ofNanos(e.dueNanos - nowNanos)));
      return out;
    }
  }

  /** Moves time forward by {@code by}, running every timer that falls due, in order. */
  public void advance(Duration by) {
    if (by.isNegative()) {
      throw new IllegalArgumentException("by: " + by + " (expected: >= 0)");
    }
    long target;
    synchronized (lock) {
      target = nowNanos + by.toNanos();
    }
    for (;;) {
      Entry next;
      synchronized (lock) {
        next = timers.peek();
        if (next == null || next.dueNanos > target) {
          nowNanos = target;
          return;
        }
        timers.poll();
        nowNanos = Math.max(nowNanos, next.dueNanos);
      }
      run(next);
    }
  }

  /** Runs the timers due now without moving time. */
  public void runDue() {
    advance(Duration.ZERO);
  }

  private static void run(Entry e) {
    Context ctx = e.context;
    if (ctx == null || Vertx.currentContext() == ctx) {
      e.task.run();
      return;
    }
    CompletableFuture<Void> done = new CompletableFuture<>();
    ctx.runOnContext(v -> {
      try {
        e.task.run();
        done.complete(null);
      } catch (Throwable t) {
        done.completeExceptionally(t);
      }
    });
    try {
      done.get(TASK_WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while a timer task ran", ie);
    } catch (ExecutionException ee) {
      throw new IllegalStateException("a timer task failed: " + ee.getCause(), ee.getCause());
    } catch (TimeoutException te) {
      throw new IllegalStateException("a timer task did not finish within " + TASK_WAIT_SECONDS + " s on its context");
    }
  }
}
