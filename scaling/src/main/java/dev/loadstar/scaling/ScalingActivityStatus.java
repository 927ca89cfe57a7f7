package dev.loadstar.scaling;

/** The status of a scaling activity (ASG's {@code Activity.StatusCode}, the ones that apply in process). */
public enum ScalingActivityStatus {
  /** Waiting for the provider to hand out an instance id. */
  WAITING_FOR_INSTANCE_ID("WaitingForInstanceId"),
  /** Running. */
  IN_PROGRESS("InProgress"),
  /** Waiting for lifecycle hooks. */
  MID_LIFECYCLE_ACTION("MidLifecycleAction"),
  /** Waiting for the instance's targets to drain from the attached target groups. */
  WAITING_FOR_ELB_CONNECTION_DRAINING("WaitingForELBConnectionDraining"),
  /** Finished as intended. */
  SUCCESSFUL("Successful"),
  /** Finished with an error (see the status message). */
  FAILED("Failed"),
  /** Stopped before it finished (e.g. the group was closed). */
  CANCELLED("Cancelled");

  private final String apiName;

  ScalingActivityStatus(String apiName) {
    this.apiName = apiName;
  }

  /** The name Auto Scaling uses, e.g. {@code WaitingForELBConnectionDraining}. */
  public String apiName() {
    return apiName;
  }

  /** Whether the activity has ended with this status. */
  public boolean isDone() {
    return this == SUCCESSFUL || this == FAILED || this == CANCELLED;
  }
}
