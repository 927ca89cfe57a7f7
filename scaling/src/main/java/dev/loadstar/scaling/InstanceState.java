package dev.loadstar.scaling;

/** The lifecycle state of an instance in a scaling group (ASG's {@code LifecycleState}). */
public enum InstanceState {
  /** Launched by the provider, not yet in service. */
  PENDING("Pending"),
  /** Waiting for the launching lifecycle hooks. */
  PENDING_WAIT("Pending:Wait"),
  /** Registered with every attached target group and counted as capacity. */
  IN_SERVICE("InService"),
  /** Being taken out of service: deregistering (draining) from the attached target groups. */
  TERMINATING("Terminating"),
  /** Drained; waiting for the terminating lifecycle hooks. */
  TERMINATING_WAIT("Terminating:Wait"),
  /** Terminated by the provider; no longer part of the group. */
  TERMINATED("Terminated");

  private final String apiName;

  InstanceState(String apiName) {
    this.apiName = apiName;
  }

  /** The name Auto Scaling uses for this state, e.g. {@code Pending:Wait}. */
  public String apiName() {
    return apiName;
  }

  /** Whether an instance in this state counts towards the group's capacity (not terminating). */
  public boolean countsAsCapacity() {
    return this == PENDING || this == PENDING_WAIT || this == IN_SERVICE;
  }
}
