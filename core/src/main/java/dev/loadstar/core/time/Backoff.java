package dev.loadstar.core.time;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential retry delays: {@code initial}, doubling per consecutive failure up to {@code max}, each shortened
 * by up to 20% at random so that replicas do not retry in step.
 */
public final class Backoff {

  private final long initialMs;
  private final long maxMs;

  /** Delays from {@code initial} up to {@code max}. */
  public Backoff(Duration initial, Duration max) {
    this.initialMs = Math.max(1, initial.toMillis());
    this.maxMs = Math.max(initialMs, max.toMillis());
  }

  /** The delay after the given number of consecutive failures (1 for the first). */
  public Duration delay(int failures) {
    long base = initialMs;
    for (int i = 1; i < failures && base < maxMs; i++) {
      base *= 2;
    }
    base = Math.min(base, maxMs);
    long jittered = (long) (base * (1.0 - 0.2 * ThreadLocalRandom.current().nextDouble()));
    return Duration.ofMillis(Math.max(1, jittered));
  }
}
