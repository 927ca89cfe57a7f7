package dev.loadstar.healthcheck.internal;

import dev.loadstar.core.TargetHealth;

/**
 * ALB's active health state machine for one target. Not thread-safe: owned by the checker's context.
 *
 * <ul>
 *   <li>{@code initial}: one passing check makes it {@code healthy}; {@code UnhealthyThresholdCount} consecutive
 *   failing checks make it {@code unhealthy} (ALB's behaviour for a target that never passes).</li>
 *   <li>{@code healthy}: exactly {@code UnhealthyThresholdCount} consecutive failures make it {@code unhealthy}.</li>
 *   <li>{@code unhealthy}: exactly {@code HealthyThresholdCount} consecutive successes make it {@code healthy}; while
 *   unhealthy, the reason and description follow the latest failed check.</li>
 * </ul>
 */
final class ActiveHealth {

  private final int healthyThreshold;
  private final int unhealthyThreshold;
  private TargetHealth health;
  private int successes;
  private int failures;

  /** A machine starting from {@code start} ({@code initial}, {@code healthy} or {@code unhealthy}). */
  public ActiveHealth(int healthyThreshold, int unhealthyThreshold, TargetHealth start) {
    this.healthyThreshold = healthyThreshold;
    this.unhealthyThreshold = unhealthyThreshold;
    this.health = start;
  }

  /** The current active health. */
  public TargetHealth health() {
    return health;
  }

  /** Consecutive passing checks so far. */
  public int consecutiveSuccesses() {
    return successes;
  }

  /** Consecutive failing checks so far. */
  public int consecutiveFailures() {
    return failures;
  }

  /** Records a passing check; returns whether the health changed. */
  public boolean onSuccess() {
    failures = 0;
    successes++;
    TargetHealth.State s = health.state();
    if (s == TargetHealth.State.INITIAL
        || (s == TargetHealth.State.UNHEALTHY && successes >= healthyThreshold)) {
      health = TargetHealth.HEALTHY;
      return true;
    }
    return false;
  }

  /** Records a failing check whose outcome is {@code failure} (an unhealthy value); returns whether health changed. */
  public boolean onFailure(TargetHealth failure) {
    successes = 0;
    failures++;
    TargetHealth.State s = health.state();
    if (s == TargetHealth.State.UNHEALTHY) {
      if (!health.equals(failure)) {
        health = failure;
        return true;
      }
      return false;
    }
    if (failures >= unhealthyThreshold) {
      health = failure;
      return true;
    }
    return false;
  }
}
