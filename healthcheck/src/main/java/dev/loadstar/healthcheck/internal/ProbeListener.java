package dev.loadstar.healthcheck.internal;

import dev.loadstar.core.RegisteredTarget;
import dev.loadstar.core.TargetHealth;

/**
 * Observes every finished active check (for tests and benchmarks). Called on the checker's context; must be cheap.
 */
@FunctionalInterface
public interface ProbeListener {

  /**
   * A check of {@code target} finished.
   *
   * @param target the checked target
   * @param plannedNanos when the check was planned to start (the checker's {@code TimeSource#nanoTime()})
   * @param startNanos when it actually started
   * @param endNanos when it ended
   * @param failure the failed check's verdict ({@code unhealthy} with reason and description), or null if it passed
   * @param activeHealth the target's active health after this check
   */
  void onProbe(RegisteredTarget target, long plannedNanos, long startNanos, long endNanos, TargetHealth failure,
      TargetHealth activeHealth);
}
