package dev.loadstar.core;

/**
 * A target as registered in one {@link TargetGroup}: its health, its load and its request accounting.
 *
 * <p>Selection returns these objects without allocating. Whoever sends a request to the selected target (the
 * client, the gateway) calls {@link #tryStartRequest()} before sending and, when it returned true,
 * {@link #endRequest} exactly once afterwards, from any thread; in-flight counts, outcomes and latency feed the
 * algorithms, anomaly detection and passive health.
 */
public interface RegisteredTarget {

  /** The target. */
  Target target();

  /** The group the target is registered in. */
  TargetGroup group();

  /** The current health. */
  TargetHealth health();

  /** Requests sent to this target that have not ended yet. */
  int inFlight();

  /** The weight selection uses now: the target's weight scaled by slow start and anomaly mitigation. */
  double selectionWeight();

  /** Latency estimate in nanoseconds (peak-EWMA of recent request latencies; 0 before the first request). */
  long latencyEwmaNanos();

  /** Requests ended on this target since registration. */
  long requestCount();

  /** Requests on this target that ended with a failure outcome since registration. */
  long failureCount();

  /**
   * Counts a request to this target as in flight. Returns false, counting nothing, when the target has already
   * left the group (deregistration finished between selection and this call): the caller selects again.
   * A draining target still accepts requests that were selected before draining began.
   */
  boolean tryStartRequest();

  /** Records the end of a request for which {@link #tryStartRequest()} returned true. */
  void endRequest(RequestOutcome outcome, long latencyNanos);

  /**
   * Registers {@code cut}, to run if this target's {@code deregistration_delay.timeout_seconds} elapses while the
   * request is still in flight: the target then leaves the group and, as ALB closes such connections (502), the
   * front end that sent the request should end it now. A front end registers one action per request right after
   * {@link #tryStartRequest()} and runs the returned handle when the request ends, which removes the action. The
   * action runs at most once, on a Vert.x thread of the group, and must not block (hop to the request's context).
   * If the delay has already elapsed, the action runs at once. The default does nothing (a target that never
   * drains) and returns a no-op handle.
   */
  default Runnable onDrainTimeout(Runnable cut) {
    return () -> { };
  }

  /** Whether the target is registered and not draining. */
  boolean isActive();
}
