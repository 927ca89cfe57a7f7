package dev.loadstar.core.time;

import io.vertx.core.Vertx;
import java.util.Objects;

/** {@link TimeSource#system}: {@link System#nanoTime()}, {@link System#currentTimeMillis()} and Vert.x timers. */
final class SystemTimeSource implements TimeSource {

  private final Vertx vertx;

  SystemTimeSource(Vertx vertx) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
  }

  @Override
  public long nanoTime() {
    return System.nanoTime();
  }

  @Override
  public long currentTimeMillis() {
    return System.currentTimeMillis();
  }

  @Override
  public long setTimer(long delayMs, Runnable task) {
    return vertx.setTimer(Math.max(1, delayMs), id -> task.run());
  }

  @Override
  public boolean cancelTimer(long timerId) {
    return vertx.cancelTimer(timerId);
  }
}
