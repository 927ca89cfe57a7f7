package dev.loadstar.core;

/**
 * A request could not be completed by the balancer: it names the target group and why.
 */
public class LoadBalancerException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** Why a request failed in the balancer. */
  public enum Kind {
    /** No target group has this name. */
    UNKNOWN_GROUP,
    /** The group has no target a request may go to (no registered targets, or none routable with fail-closed). */
    NO_TARGETS,
    /** Every attempt failed (the last failure is the cause). */
    ALL_ATTEMPTS_FAILED,
    /** The attempt failed and the retry budget allowed no retry (the failure is the cause). */
    RETRY_BUDGET_EXHAUSTED,
    /** The client is closed. */
    CLOSED
  }

  private final String group;
  private final Kind kind;
  private final int attempts;

  /** A failure of the given kind for a group after {@code attempts} attempts. */
  public LoadBalancerException(String group, Kind kind, int attempts, String message, Throwable cause) {
    super("target group " + group + ": " + message, cause);
    this.group = group;
    this.kind = kind;
    this.attempts = attempts;
  }

  /** The target group name. */
  public String group() {
    return group;
  }

  /** Why the request failed. */
  public Kind kind() {
    return kind;
  }

  /** How many attempts were sent to targets (0 when none was selected). */
  public int attempts() {
    return attempts;
  }
}
