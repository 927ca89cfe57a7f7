package dev.loadstar.gateway.config;

import dev.loadstar.core.TargetGroupConfig;
import dev.loadstar.core.discovery.DiscoveryConfig;
import dev.loadstar.healthcheck.HealthCheck;
import dev.loadstar.healthcheck.OutlierDetection;
import java.util.List;

/**
 * A validated target group of a configuration file.
 *
 * @param config the group's settings (attributes, health check enabled, fail-open, cross-zone)
 * @param targets the targets registered at start, in file order (every kind)
 * @param healthCheck the active health check settings
 * @param outlierDetection the passive health settings
 * @param discovery the discovery sources, or null
 */
public record TargetGroupSpec(TargetGroupConfig config, List<TargetSpec> targets, HealthCheck healthCheck,
    OutlierDetection outlierDetection, DiscoveryConfig discovery) {

  /** Copies the targets. */
  public TargetGroupSpec {
    targets = List.copyOf(targets);
  }

  /** The group name. */
  public String name() {
    return config.name();
  }
}
