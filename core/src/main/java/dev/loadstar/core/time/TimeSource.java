package dev.loadstar.core.time;

import io.vertx.core.Vertx;

/**
 * Where Loadstar's components read the time and set their timers: the system clock and Vert.x timers in production
 * ({@link #system}), a {@link ManualTimeSource} in tests, so that state machines (health thresholds, ejection times,
 * cooldowns, drain expiry) run on time the test moves instead of real timers.
 *
 * <p>A timer set from a Vert.x context runs its task on that context, as Vert.x timers do.
 */
public interface TimeSource {

  /** Monotonic time in nanoseconds (as {@link System#nanoTime()}: only differences mean something). */
  long nanoTime();

  /** Wall-clock time in milliseconds since the epoch. */
  long currentTimeMillis();

  /** Runs {@code task} once after {@code delayMs} (at least 1) milliseconds; returns an id for {@link #cancelTimer}. */
  long setTimer(long delayMs, Runnable task);

  /** Cancels a timer; returns false for an unknown id or a timer that already ran. */
  boolean cancelTimer(long timerId);

  /** The system clock and {@code vertx}'s timers. */
  static TimeSource system(Vertx vertx) {
    return new SystemTimeSource(vertx);
  }
}
