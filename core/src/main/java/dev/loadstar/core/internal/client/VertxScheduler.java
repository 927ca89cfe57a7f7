package dev.loadstar.core.internal.client;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Map;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The {@link ScheduledExecutorService} Resilience4j's async retry needs, backed by Vert.x: a task runs on the
 * Vert.x context current when the request was sent (the caller's event loop, or a context Vert.x picks), after a
 * Vert.x timer when it has a delay. No thread is created.
 *
 * <p>One-shot {@code schedule} and {@code execute} are supported (all that the retry uses); the periodic forms
 * are not. {@link #shutdownNow()} cancels every pending timer and runs the cancelled tasks at once, so the work
 * they guard observes the shutdown and completes instead of hanging.
 */
final class VertxScheduler extends AbstractExecutorService implements ScheduledExecutorService {

  private final Vertx vertx;
  private final Map<Long, Task> pending = new ConcurrentHashMap<>();
  private final AtomicBoolean shutdown = new AtomicBoolean();

  VertxScheduler(Vertx vertx) {
    this.vertx = vertx;
  }

  private static Context context(Vertx vertx) {
    Context current = Vertx.currentContext();
    return current != null ? current : vertx.getOrCreateContext();
  }

  @Override
  public void execute(Runnable command) {
    if (shutdown.get()) {
      throw new RejectedExecutionException("the client is closed");
    }
    context(vertx).runOnContext(v -> command.run());
  }

  @Override
  public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
    if (shutdown.get()) {
      throw new RejectedExecutionException("the client is closed");
    }
    long delayMs = unit.toMillis(delay);
    Context ctx = context(vertx);
    if (delayMs <= 0) {
      ctx.runOnContext(v -> command.run());
      return new Done(0);
    }
    Task task = new Task(command);
    long id = vertx.setTimer(delayMs, t -> {
      pending.remove(t);
      task.runOnce();
    });
    pending.put(id, task);
    if (task.ran()) {
      pending.remove(id); // the timer fired before the task was recorded
    }
    return new Timer(id, task, delayMs);
  }

  @Override
  public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
    throw new UnsupportedOperationException("only Runnable tasks are scheduled");
  }

  @Override
  public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
    throw new UnsupportedOperationException("periodic tasks are not supported");
  }

  @Override
  public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
    throw new UnsupportedOperationException("periodic tasks are not supported");
  }

  @Override
  public void shutdown() {
    shutdownNow();
  }

  /** Cancels every pending timer and runs its task now; returns nothing (the tasks have been run). */
  @Override
  public List<Runnable> shutdownNow() {
    shutdown.set(true);
    for (Long id : pending.keySet()) {
      Task task = pending.remove(id);
      if (task != null) {
        vertx.cancelTimer(id);
        task.runOnce();
      }
    }
    return List.of();
  }

  /** Tasks waiting on a timer. */
  int pendingCount() {
    return pending.size();
  }

  @Override
  public boolean isShutdown() {
    return shutdown.get();
  }

  @Override
  public boolean isTerminated() {
    return shutdown.get() && pending.isEmpty();
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) {
    return isTerminated();
  }

  /** A delayed task that runs at most once, whether its timer fires or the scheduler shuts down. */
  private static final class Task extends AtomicBoolean {
    private static final long serialVersionUID = 1L;
    private final transient Runnable command;

    Task(Runnable command) {
      this.command = command;
    }

    void runOnce() {
      if (compareAndSet(false, true)) {
        command.run();
      }
    }

    boolean ran() {
      return get();
    }
  }

  private final class Timer implements ScheduledFuture<Object> {
    private final long id;
    private final Task task;
    private final long delayMs;

    Timer(long id, Task task, long delayMs) {
      this.id = id;
      this.task = task;
      this.delayMs = delayMs;
    }

    @Override
    public long getDelay(TimeUnit unit) {
      return unit.convert(delayMs, TimeUnit.MILLISECONDS);
    }

    @Override
    public int compareTo(Delayed o) {
      return Long.compare(getDelay(TimeUnit.NANOSECONDS), o.getDelay(TimeUnit.NANOSECONDS));
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      pending.remove(id);
      vertx.cancelTimer(id);
      return task.compareAndSet(false, true);
    }

    @Override
    public boolean isCancelled() {
      return task.ran() && !pending.containsKey(id);
    }

    @Override
    public boolean isDone() {
      return task.ran();
    }

    @Override
    public Object get() throws ExecutionException {
      throw new UnsupportedOperationException("blocking get is not supported");
    }

    @Override
    public Object get(long timeout, TimeUnit unit) {
      throw new UnsupportedOperationException("blocking get is not supported");
    }
  }

  private static final class Done implements ScheduledFuture<Object> {
    private final long delay;

    Done(long delay) {
      this.delay = delay;
    }

    @Override
    public long getDelay(TimeUnit unit) {
      return delay;
    }

    @Override
    public int compareTo(Delayed o) {
      return Long.compare(0, o.getDelay(TimeUnit.NANOSECONDS));
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      return false;
    }

    @Override
    public boolean isCancelled() {
      return false;
    }

    @Override
    public boolean isDone() {
      return true;
    }

    @Override
    public Object get() {
      return null;
    }

    @Override
    public Object get(long timeout, TimeUnit unit) {
      return null;
    }
  }
}
