package dev.loadstar.scaling;

import java.time.Instant;

/**
 * One thing a scaling group did (launch or terminate an instance): what, why, when, and how it ended, like a row
 * of the Auto Scaling console's Activity tab. Immutable; an update of the same activity keeps its id.
 *
 * @param activityId a unique id
 * @param groupName the scaling group
 * @param kind whether an instance was launched or terminated
 * @param instanceId the instance, or {@code null} while not known (a launch that failed before the provider gave
 *     an id)
 * @param description what, e.g. {@code Launching a new instance: i-0abc...}
 * @param cause why, e.g. {@code At 2025-01-01T00:00:00Z an instance was taken out of service in response to an
 *     ELB health check failure.}
 * @param status the current status
 * @param statusMessage details of a failure, or {@code null}
 * @param startTime when it started
 * @param endTime when it ended, or {@code null} while it runs
 */
public record ScalingActivity(String activityId, String groupName, Kind kind, String instanceId, String description,
    String cause, ScalingActivityStatus status, String statusMessage, Instant startTime, Instant endTime) {

  /** What an activity does. */
  public enum Kind {
    /** Launches an instance and puts it in service. */
    LAUNCH,
    /** Takes an instance out of service and terminates it. */
    TERMINATE
  }

  /** Whether it has ended. */
  public boolean isDone() {
    return status.isDone();
  }

  @Override
  public String toString() {
    return startTime + " " + status.apiName() + " " + description + " | " + cause
        + (statusMessage != null ? " | " + statusMessage : "") + (endTime != null ? " (ended " + endTime + ")" : "");
  }
}
