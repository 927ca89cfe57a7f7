package dev.loadstar.core;

/**
 * A request could not be completed by the balancer: it names the target group (or, for a routing failure, the
 * request) and why.
 */
public class LoadBalancerException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** Why a request failed in the balancer. */
  public enum Kind {
    /** No target group has this name. */
    UNKNOWN_GROUP,
    /** The request router chose no target group for the request (or no router is set). */
    NO_ROUTE,
    /** The group has no target a request may go to (no registered targets, or none routable with fail-closed). */
    NO_TARGETS,
    /** Every attempt failed, or the failure could not be retried (the last failure is the cause). */
    ALL_ATTEMPTS_FAILED,
    /** The attempt failed and the retry budget allowed no retry (the failure is the cause). */
    RETRY_BUDGET_EXHAUSTED,
    /** The client is closed. */
    CLOSED
  }

  private final String group;
  private final Kind kind;
  private final int attempts;

  /**
   * A failure of the given kind for a group after {@code attempts} attempts; {@code group} is {@code null} when no
   * group was chosen (then the message names the request).
   */
  public LoadBalancerException(String group, Kind kind, int attempts, String message, Throwable cause) {
    super((group != null ? "target group " + group + ": " : "") + message, cause);
    this.group = group;
    this.kind = kind;
    this.attempts = attempts;
  }

  /** The target group name, or {@code null} when the request was not routed to one. */
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
