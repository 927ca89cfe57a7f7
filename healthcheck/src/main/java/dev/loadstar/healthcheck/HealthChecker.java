package dev.loadstar.healthcheck;

import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.time.TimeSource;
import dev.loadstar.healthcheck.internal.DefaultHealthChecker;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/**
 * Drives the health of one target group's targets: active checks ({@link HealthCheck}) when the group has
 * {@code HealthCheckEnabled}, and passive outlier detection ({@link OutlierDetection}) from the group's real traffic.
 *
 * <p>Active checks follow ALB's state machine: a new target is {@code initial} and turns {@code healthy} after one
 * passing check, or {@code unhealthy} after {@code UnhealthyThresholdCount} failing ones; a healthy target turns
 * unhealthy after exactly {@code UnhealthyThresholdCount} consecutive failures; an unhealthy one recovers after
 * exactly {@code HealthyThresholdCount} consecutive successes. A passive ejection wins while it lasts; when it ends
 * the active state applies again (or {@code unavailable} in a group without active checks).
 *
 * <p>One checker per group. Checks run on timers of the checker's {@link TimeSource} (Vert.x timers by default) on
 * its event-loop contexts (one per two cores, targets spread by id), one check per target at a time, the next one
 * interval (with 10 % jitter) after the previous one was planned; at most {@link HealthCheck#maxConcurrentChecks()}
 * run at once, through one shared HTTP client (or TCP client). Health changes are applied to the group off the event
 * loops. Checking of a target stops when it starts draining or is deregistered; {@link #close()} stops everything.
 */
public interface HealthChecker {

  /** Starts checking the group with these settings and default outlier detection. */
  static HealthChecker start(Vertx vertx, TargetGroup group, HealthCheck healthCheck) {
    return start(vertx, group, healthCheck, OutlierDetection.defaults());
  }

  /**
   * Starts checking the group: active checks with {@code healthCheck} if the group's config has
   * {@code healthCheckEnabled}, passive outlier detection with {@code outlierDetection} unless it is
   * {@link OutlierDetection#disabled()}. Targets already registered are picked up; a target already {@code healthy}
   * keeps its state until checks say otherwise.
   */
  static HealthChecker start(Vertx vertx, TargetGroup group, HealthCheck healthCheck,
      OutlierDetection outlierDetection) {
    return DefaultHealthChecker.start(vertx, group, healthCheck, outlierDetection);
  }

  /**
   * As {@link #start(Vertx, TargetGroup, HealthCheck, OutlierDetection)}, reading the time and setting every timer
   * (check schedules and deadlines, ejections) through {@code time}: {@link TimeSource#system(Vertx)} in production,
   * a {@code ManualTimeSource} in tests that move time themselves. Checks still go to the targets' real sockets.
   */
  static HealthChecker start(Vertx vertx, TargetGroup group, HealthCheck healthCheck,
      OutlierDetection outlierDetection, TimeSource time) {
    return DefaultHealthChecker.start(vertx, group, healthCheck, outlierDetection, time);
  }

  /** The checked group. */
  TargetGroup group();

  /** The active check settings (used only when the group has {@code healthCheckEnabled}). */
  HealthCheck healthCheck();

  /** The passive health settings. */
  OutlierDetection outlierDetection();

  /** Whether active checks run (the group has {@code healthCheckEnabled}). */
  boolean activeChecksEnabled();

  /**
   * Adds an observer of every finished active check (none run when active checks are off); returns a handle that
   * removes it.
   */
  Runnable addCheckListener(CheckListener listener);

  /** describe-target-health for the group as JSON (see {@link DescribeTargetHealth}). */
  default JsonObject describeTargetHealth() {
    return DescribeTargetHealth.toJson(group(), healthCheck());
  }

  /**
   * Stops every check and timer, ends ejections (an ejected target gets its active state back), and closes the
   * checker's clients. Idempotent; the future completes when everything is released.
   */
  Future<Void> close();
}
