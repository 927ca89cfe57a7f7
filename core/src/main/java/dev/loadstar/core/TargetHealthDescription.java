package dev.loadstar.core;

/**
 * One row of describe-target-health: the target, its health, its load and the anomaly detection result.
 *
 * @param target the target
 * @param health its current health
 * @param inFlight requests in flight
 * @param anomalous whether anomaly detection finds its error rate well above its peers' ({@code anomalous})
 * @param mitigationInEffect whether its weight is currently reduced because of that
 */
public record TargetHealthDescription(Target target, TargetHealth health, int inFlight, boolean anomalous,
    boolean mitigationInEffect) {

  /** ALB's {@code AnomalyDetection.Result}: {@code normal} or {@code anomalous}. */
  public String anomalyResult() {
    return anomalous ? "anomalous" : "normal";
  }
}
