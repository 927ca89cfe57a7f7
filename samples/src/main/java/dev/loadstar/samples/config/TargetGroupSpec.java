package dev.loadstar.samples.config;

import dev.loadstar.core.Target;
import dev.loadstar.core.TargetGroupConfig;
import dev.loadstar.core.discovery.DiscoveryConfig;
import dev.loadstar.healthcheck.HealthCheck;
import dev.loadstar.healthcheck.OutlierDetection;
import java.util.List;

/**
 * A validated target group of a configuration file.
 *
 * @param config the group's settings (attributes, health check enabled, fail-open)
 * @param targets the targets registered at start
 * @param healthCheck the active health check settings
 * @param outlierDetection the passive health settings
 * @param discovery the discovery sources, or null
 */
public record TargetGroupSpec(TargetGroupConfig config, List<Target> targets, HealthCheck healthCheck,
    OutlierDetection outlierDetection, DiscoveryConfig discovery) {

  /** The group name. */
  public String name() {
    return config.name();
  }
}
