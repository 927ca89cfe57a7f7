package dev.loadstar.scaling.internal;

import io.vertx.core.Vertx;

/**
 * The time source and timers of a scaling group: Vert.x timers in production, a manual scheduler in tests.
 *
 * <p>Timers are set from the group's context and their tasks run on it.
 */
public interface Scheduler {

  /** Monotonic time in nanoseconds. */
  long nanoTime();

  /** Runs the task once after the delay; returns an id for {@link #cancel}. */
  long schedule(long delayMs, Runnable task);

  /** Cancels a timer; unknown or fired ids are ignored. */
  void cancel(long timerId);

  /** Vert.x timers and {@link System#nanoTime()}. */
  static Scheduler of(Vertx vertx) {
    return new Scheduler() {
      @Override
      public long nanoTime() {
        return System.nanoTime();
      }

      @Override
      public long schedule(long delayMs, Runnable task) {
        return vertx.setTimer(Math.max(1, delayMs), id -> task.run());
      }

      @Override
      public void cancel(long timerId) {
        vertx.cancelTimer(timerId);
      }
    };
  }
}
