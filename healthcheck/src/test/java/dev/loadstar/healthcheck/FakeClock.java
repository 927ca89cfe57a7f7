package dev.loadstar.healthcheck;

import static org.awaitility.Awaitility.await;

import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.time.ManualTimeSource;
import dev.loadstar.healthcheck.internal.DefaultHealthChecker;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Fake time for a checker whose checks still go to real sockets: the checker runs on a {@link ManualTimeSource} that
 * only the test moves. A step never moves time while a check is under way (in flight, or its next check not planned
 * yet: moving time then would shift the plan; unless {@link #idleWhen} says a hanging check may see time pass), and
 * never by more than the check timeout less 1 ms, so a check started within a step cannot reach its deadline in that
 * step: a deadline passes only when a test means it to.
 */
final class FakeClock {

  private static final Duration WAIT = Duration.ofSeconds(20);

  final ManualTimeSource time = new ManualTimeSource();
  private DefaultHealthChecker checker;
  private Duration maxStep = Duration.ofDays(1);
  private BooleanSupplier idle = () -> true;

  /** Starts a checker on this clock. */
  DefaultHealthChecker start(Vertx vertx, TargetGroup group, HealthCheck healthCheck, OutlierDetection outliers) {
    checker = DefaultHealthChecker.start(vertx, group, healthCheck, outliers, time);
    if (checker.activeChecksEnabled()) {
      maxStep = healthCheck.timeout().minusMillis(1);
    }
    idle = () -> checker.unsettledChecks() == 0;
    return checker;
  }

  /** Replaces "no check under way" as the condition for moving time (for targets that never answer). */
  void idleWhen(BooleanSupplier condition) {
    this.idle = condition;
  }

  /** The fake time since the start. */
  Duration now() {
    return Duration.ofNanos(time.nanoTime());
  }

  /**
   * Lets the checker run until {@code condition} holds with no check under way: each step waits for the checks under
   * way to settle, then moves time to the next timer.
   */
  void runUntil(BooleanSupplier condition) {
    long deadline = System.nanoTime() + WAIT.multipliedBy(2).toNanos();
    for (;;) {
      waitFor(() -> idle.getAsBoolean() && (condition.getAsBoolean() || time.pendingTimers() > 0));
      if (condition.getAsBoolean()) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition still false at fake time " + now());
      }
      List<Duration> next = time.pendingDelays();
      time.advance(next.isEmpty() || next.get(0).compareTo(maxStep) > 0 ? maxStep : next.get(0));
    }
  }

  /** Moves time by exactly {@code by}, in steps that each wait until no check is under way. */
  void advance(Duration by) {
    Duration left = by;
    while (!left.isZero()) {
      waitFor(idle);
      Duration step = left.compareTo(maxStep) > 0 ? maxStep : left;
      time.advance(step);
      left = left.minus(step);
    }
  }

  /** Waits (real time, bounded) for something the checker does asynchronously. */
  static void waitFor(BooleanSupplier condition) {
    await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1)).atMost(WAIT).until(condition::getAsBoolean);
  }
}
