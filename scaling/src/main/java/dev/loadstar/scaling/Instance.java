package dev.loadstar.scaling;

import java.time.Instant;

/**
 * A snapshot of one instance of a scaling group: its address, lifecycle state and health.
 *
 * @param id the instance id (e.g. {@code i-0abc...})
 * @param host the host requests are sent to
 * @param port the port requests are sent to
 * @param state the lifecycle state
 * @param healthy whether the group considers the instance healthy ({@code Healthy} / {@code Unhealthy})
 * @param launchTime when the provider launched it
 * @param protectedFromScaleIn whether scale-in skips it
 * @param zone the availability zone it runs in, or {@code null} when the group's provider has no zones
 */
public record Instance(String id, String host, int port, InstanceState state, boolean healthy, Instant launchTime,
    boolean protectedFromScaleIn, String zone) {

  /** An instance without a zone. */
  public Instance(String id, String host, int port, InstanceState state, boolean healthy, Instant launchTime,
      boolean protectedFromScaleIn) {
    this(id, host, port, state, healthy, launchTime, protectedFromScaleIn, null);
  }

  /** {@code Healthy} or {@code Unhealthy}, as Auto Scaling spells the health status. */
  public String healthStatus() {
    return healthy ? "Healthy" : "Unhealthy";
  }
}
