package dev.loadstar.samples.lab;

import dev.loadstar.core.TargetGroupConfig;
import dev.loadstar.healthcheck.HealthCheck;
import dev.loadstar.healthcheck.OutlierDetection;
import java.time.Duration;

/**
 * The lab's timings and addresses: watchable ones for the interactive lab, fast ones for the unattended run.
 *
 * @param host the gateway's bind address
 * @param port the gateway's port (0 picks a free one)
 * @param healthCheck the target group's active health check
 * @param outlierDetection the target group's passive health (outlier detection)
 * @param providerCheckInterval how often the scaling group asks the provider whether instances still run
 * @param deregistrationDelay the target group's deregistration delay (draining ends earlier when nothing is in flight)
 * @param responseDelayMs how long each instance takes to answer
 */
public record LabSettings(String host, int port, HealthCheck healthCheck, OutlierDetection outlierDetection,
    Duration providerCheckInterval, Duration deregistrationDelay, long responseDelayMs) {

  /** The interactive lab: checks every 2 s, unhealthy after 2 failures, healthy again after 3 passes. */
  public static LabSettings interactive(int port) {
    return new LabSettings("127.0.0.1", port, HealthCheck.builder().embedded(true).interval(Duration.ofSeconds(2))
        .timeout(Duration.ofSeconds(1)).healthyThresholdCount(3).unhealthyThresholdCount(2).build(),
        OutlierDetection.defaults(), Duration.ofSeconds(2), Duration.ofSeconds(30), 0);
  }

  /** The unattended run: checks every 500 ms, unhealthy after 2 failures, healthy again after 2 passes. */
  public static LabSettings unattended(int port) {
    return new LabSettings("127.0.0.1", port, HealthCheck.builder().embedded(true).interval(Duration.ofMillis(500))
        .timeout(Duration.ofMillis(450)).healthyThresholdCount(2).unhealthyThresholdCount(2).build(),
        OutlierDetection.defaults(), Duration.ofMillis(500), Duration.ofSeconds(10), 5);
  }

  /** The target group's settings: health checked, with this deregistration delay. */
  TargetGroupConfig targetGroupConfig() {
    return TargetGroupConfig.builder(SeedLab.TARGET_GROUP).healthCheckEnabled(true)
        .deregistrationDelay(deregistrationDelay).build();
  }
}
