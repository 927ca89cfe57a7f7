package dev.loadstar.healthcheck;

import dev.loadstar.core.RegisteredTarget;
import dev.loadstar.core.TargetHealth;

/**
 * Observes every finished active health check of a {@link HealthChecker}: what a dashboard or a lab needs to show
 * "check 2 of 2 failed" before the target's health changes.
 *
 * <p>Called on the checker's event-loop context right after the check ended and before the health change it causes,
 * if any, is applied to the group (so a listener sees the check that turns a target unhealthy before the group's
 * {@code HealthChangeEvent}). Implementations must be cheap and must not block; an exception is logged and swallowed.
 */
@FunctionalInterface
public interface CheckListener {

  /**
   * An active check of {@code target} finished.
   *
   * @param target the checked target
   * @param failure the failed check's verdict ({@code unhealthy} with ALB's reason and description), or {@code null}
   *     when the check passed
   * @param activeHealth the target's active health after this check (the group may show an outlier ejection instead)
   */
  void onCheck(RegisteredTarget target, TargetHealth failure, TargetHealth activeHealth);
}
