package dev.loadstar.core;

/**
 * How a request sent to a target ended, as seen by the balancer.
 */
public enum RequestOutcome {
  /** The target answered with a status below 500. */
  SUCCESS(false),
  /** The target answered with a 5xx status. */
  TARGET_5XX(true),
  /** The connection to the target could not be established (refused, unreachable, connect timeout). */
  CONNECT_FAILURE(true),
  /** The connection was reset or closed before a complete response arrived. */
  RESET(true),
  /** The target did not answer within the timeout. */
  TIMEOUT(true),
  /** The caller gave up (client went away, cancelled); says nothing about the target. */
  CANCELLED(false);

  private final boolean failure;

  RequestOutcome(boolean failure) {
    this.failure = failure;
  }

  /** Whether the outcome counts against the target (passive health, anomaly detection). */
  public boolean isFailure() {
    return failure;
  }

  /** Whether the request never reached the application on the target, so any request may be retried. */
  public boolean isConnectFailure() {
    return this == CONNECT_FAILURE;
  }
}
