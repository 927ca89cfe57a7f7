package dev.loadstar.core;

import java.util.Objects;

/**
 * The health of one registered target: ALB's state, reason code and description.
 *
 * <p>Immutable. Instances for the common cases are shared constants.
 */
public final class TargetHealth {

  /** ALB's target health states ({@code TargetHealth.State}). */
  public enum State {
    /** Registering or running the initial health checks. */
    INITIAL("initial"),
    /** Passing health checks. */
    HEALTHY("healthy"),
    /** Failing health checks, or ejected by passive detection. */
    UNHEALTHY("unhealthy"),
    /** Not registered (or no longer registered). */
    UNUSED("unused"),
    /** Deregistering: in-flight requests finish, no new request is routed. */
    DRAINING("draining"),
    /** Health checking is disabled for the group: routable without checks. */
    UNAVAILABLE("unavailable");

    private final String apiName;

    State(String apiName) {
      this.apiName = apiName;
    }

    /** The name ALB's API uses ({@code initial}, {@code healthy}, ...). */
    public String apiName() {
      return apiName;
    }
  }

  /** ALB's reason codes ({@code TargetHealth.Reason}) plus Loadstar's passive-detection code. */
  public enum Reason {
    /** The target is being registered. */
    ELB_REGISTRATION_IN_PROGRESS("Elb.RegistrationInProgress"),
    /** The initial health checks are running. */
    ELB_INITIAL_HEALTH_CHECKING("Elb.InitialHealthChecking"),
    /** The health check saw an unexpected HTTP status code. */
    TARGET_RESPONSE_CODE_MISMATCH("Target.ResponseCodeMismatch"),
    /** The health check timed out. */
    TARGET_TIMEOUT("Target.Timeout"),
    /** The health check failed (connection refused or reset, TLS failure, empty response). */
    TARGET_FAILED_HEALTH_CHECKS("Target.FailedHealthChecks"),
    /** Passive outlier detection ejected the target after failed requests. */
    TARGET_OUTLIER_EJECTED("Target.OutlierEjected"),
    /** An internal error in the balancer. */
    ELB_INTERNAL_ERROR("Elb.InternalError"),
    /** The target is not registered. */
    TARGET_NOT_REGISTERED("Target.NotRegistered"),
    /** The target group is not used by any listener rule. */
    TARGET_NOT_IN_USE("Target.NotInUse"),
    /** The target is stopped or terminated. */
    TARGET_INVALID_STATE("Target.InvalidState"),
    /** The target is being deregistered and is draining. */
    TARGET_DEREGISTRATION_IN_PROGRESS("Target.DeregistrationInProgress"),
    /** Health checks are disabled for the group. */
    TARGET_HEALTH_CHECK_DISABLED("Target.HealthCheckDisabled");

    private final String code;

    Reason(String code) {
      this.code = code;
    }

    /** The code ALB's API uses, e.g. {@code Target.Timeout}. */
    public String code() {
      return code;
    }
  }

  /** A newly registered, health-checked target: {@code initial} / {@code Elb.InitialHealthChecking}. */
  public static final TargetHealth INITIAL = new TargetHealth(State.INITIAL, Reason.ELB_INITIAL_HEALTH_CHECKING,
      "Initial health checks in progress.");
  /** A target passing health checks. */
  public static final TargetHealth HEALTHY = new TargetHealth(State.HEALTHY, null, null);
  /** A target in a group without health checks: {@code unavailable} / {@code Target.HealthCheckDisabled}. */
  public static final TargetHealth UNAVAILABLE = new TargetHealth(State.UNAVAILABLE,
      Reason.TARGET_HEALTH_CHECK_DISABLED, "Health checks are disabled.");
  /** A deregistering target: {@code draining} / {@code Target.DeregistrationInProgress}. */
  public static final TargetHealth DRAINING = new TargetHealth(State.DRAINING,
      Reason.TARGET_DEREGISTRATION_IN_PROGRESS, "Target deregistration is in progress.");
  /** A target that is not registered: {@code unused} / {@code Target.NotRegistered}. */
  public static final TargetHealth UNUSED = new TargetHealth(State.UNUSED, Reason.TARGET_NOT_REGISTERED,
      "Target is not registered to the target group.");

  private final State state;
  private final Reason reason;
  private final String description;

  private TargetHealth(State state, Reason reason, String description) {
    this.state = Objects.requireNonNull(state, "state");
    this.reason = reason;
    this.description = description;
  }

  /** A health value; {@code reason} and {@code description} may be null (as for {@code healthy}). */
  public static TargetHealth of(State state, Reason reason, String description) {
    return new TargetHealth(state, reason, description);
  }

  /** An {@code unhealthy} health value with the given reason and description. */
  public static TargetHealth unhealthy(Reason reason, String description) {
    return new TargetHealth(State.UNHEALTHY, Objects.requireNonNull(reason, "reason"), description);
  }

  /** The state. */
  public State state() {
    return state;
  }

  /** The reason code, or {@code null} (always null when healthy). */
  public Reason reason() {
    return reason;
  }

  /** A human-readable description, or {@code null}. */
  public String description() {
    return description;
  }

  /** Whether a target in this state receives new requests in normal (not fail-open) operation. */
  public boolean isRoutable() {
    return state == State.HEALTHY || state == State.UNAVAILABLE;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof TargetHealth)) {
      return false;
    }
    TargetHealth h = (TargetHealth) o;
    return state == h.state && reason == h.reason && Objects.equals(description, h.description);
  }

  @Override
  public int hashCode() {
    return Objects.hash(state, reason, description);
  }

  @Override
  public String toString() {
    return state.apiName() + (reason != null ? " (" + reason.code() + ")" : "")
        + (description != null ? ": " + description : "");
  }
}
