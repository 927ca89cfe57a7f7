package dev.loadstar.core;

/**
 * A request was cut because its target's {@code deregistration_delay.timeout_seconds} elapsed while the request was
 * still in flight (ALB closes such connections and answers 502). The target may have processed part or all of it.
 */
public class DeregistrationDelayElapsedException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String targetId;

  /** A cut request to the target {@code targetId} of the group {@code group}. */
  public DeregistrationDelayElapsedException(String group, String targetId) {
    super("target " + targetId + " left target group " + group
        + ": deregistration_delay.timeout_seconds elapsed with the request in flight", null, false, false);
    this.targetId = targetId;
  }

  /** The id of the target the request was sent to. */
  public String targetId() {
    return targetId;
  }
}
