package dev.loadstar.gateway.config;

import dev.loadstar.core.TargetGroup;
import dev.loadstar.scaling.LaunchTemplate;
import dev.loadstar.scaling.ScalingGroupConfig;
import dev.loadstar.scaling.spi.InstanceProvider;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * A validated scaling group of a configuration file. Its {@link ScalingGroupConfig} needs the running target
 * groups (attachments and policy metrics), so it is made at start by {@link #toConfig}.
 */
public final class ScalingGroupSpec {

  private final String name;
  private final LaunchTemplate launchTemplate;
  private final List<String> targetGroups;
  private final BiFunction<Map<String, TargetGroup>, InstanceProvider, ScalingGroupConfig> factory;
  private final List<String> availabilityZones;

  /** A spec; {@code factory} makes the config from the running groups and an optional explicit provider. */
  public ScalingGroupSpec(String name, LaunchTemplate launchTemplate, List<String> targetGroups,
      BiFunction<Map<String, TargetGroup>, InstanceProvider, ScalingGroupConfig> factory) {
    this(name, launchTemplate, targetGroups, List.of(), factory);
  }

  /** A spec whose provider launches into {@code availabilityZones} (empty: none). */
  public ScalingGroupSpec(String name, LaunchTemplate launchTemplate, List<String> targetGroups,
      List<String> availabilityZones,
      BiFunction<Map<String, TargetGroup>, InstanceProvider, ScalingGroupConfig> factory) {
    this.name = name;
    this.launchTemplate = launchTemplate;
    this.targetGroups = List.copyOf(targetGroups);
    this.availabilityZones = List.copyOf(availabilityZones);
    this.factory = factory;
  }

  /**
   * The availability zones the group's provider launches into (Auto Scaling's {@code AvailabilityZones}); the group
   * spreads its instances evenly over them. Empty when none are configured.
   */
  public List<String> availabilityZones() {
    return availabilityZones;
  }

  /** The group name. */
  public String name() {
    return name;
  }

  /** The launch template. */
  public LaunchTemplate launchTemplate() {
    return launchTemplate;
  }

  /** The names of the attached target groups. */
  public List<String> targetGroups() {
    return targetGroups;
  }

  /**
   * The group's settings over the running target groups; {@code provider} is used instead of a lookup by name when
   * not null.
   */
  public ScalingGroupConfig toConfig(Map<String, TargetGroup> groups, InstanceProvider provider) {
    return factory.apply(groups, provider);
  }

  @Override
  public String toString() {
    return "ScalingGroupSpec{" + name + " " + launchTemplate + " targetGroups=" + targetGroups
        + (availabilityZones.isEmpty() ? "" : " availabilityZones=" + availabilityZones) + "}";
  }
}
