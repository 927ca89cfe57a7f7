package dev.loadstar.healthcheck.internal;

import dev.loadstar.core.FailureKind;
import dev.loadstar.core.TargetHealth;
import java.util.EnumMap;

/**
 * ALB's reason and description for a check's outcome. A failure's cause is read by core's one typed classifier
 * ({@link FailureKind#classify}), never from exception messages or class names, and mapped once per kind: a timeout
 * (connecting or waiting for the answer) is {@code Target.Timeout} / {@code Request timed out}; anything else is
 * {@code Target.FailedHealthChecks} / {@code Health checks failed: <the kind's description>}.
 */
final class CheckVerdicts {

  static final TargetHealth TIMED_OUT = TargetHealth.unhealthy(TargetHealth.Reason.TARGET_TIMEOUT,
      "Request timed out");

  private static final EnumMap<FailureKind, TargetHealth> BY_KIND = new EnumMap<>(FailureKind.class);

  static {
    for (FailureKind k : FailureKind.values()) {
      BY_KIND.put(k, k == FailureKind.TIMEOUT || k == FailureKind.CONNECT_TIMEOUT ? TIMED_OUT
          : failed(k.description()));
    }
  }

  private CheckVerdicts() {
  }

  /** The verdict of a check that failed with {@code cause}; {@code connected}: whether it had its connection. */
  static TargetHealth classify(Throwable cause, boolean connected) {
    return BY_KIND.get(FailureKind.classify(cause, connected));
  }

  /** A status the matcher does not accept: {@code Target.ResponseCodeMismatch}, as ALB words it. */
  static TargetHealth codeMismatch(int status) {
    return TargetHealth.unhealthy(TargetHealth.Reason.TARGET_RESPONSE_CODE_MISMATCH,
        "Health checks failed with these codes: [" + status + "]");
  }

  /**
   * A function target's handler failed; {@code handlerError} (its own exception, or null) is shown as evidence for
   * the operator, not interpreted.
   */
  static TargetHealth functionFailed(Throwable handlerError) {
    return failed("the function failed" + (handlerError != null ? ": " + handlerError : ""));
  }

  private static TargetHealth failed(String detail) {
    return TargetHealth.unhealthy(TargetHealth.Reason.TARGET_FAILED_HEALTH_CHECKS, "Health checks failed: " + detail);
  }
}
