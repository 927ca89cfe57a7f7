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
 */
public record Instance(String id, String host, int port, InstanceState state, boolean healthy, Instant launchTime,
    boolean protectedFromScaleIn) {

  /** {@code Healthy} or {@code Unhealthy}, as Auto Scaling spells the health status. */
  public String healthStatus() {
    return healthy ? "Healthy" : "Unhealthy";
  }
}
