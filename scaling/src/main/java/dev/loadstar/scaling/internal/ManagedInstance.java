package dev.loadstar.scaling.internal;

import dev.loadstar.core.Target;
import dev.loadstar.scaling.Instance;
import dev.loadstar.scaling.InstanceState;
import dev.loadstar.scaling.spi.ProviderInstance;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;

/** An instance as its scaling group tracks it. Confined to the group's context. */
final class ManagedInstance {

  final String id;
  final ProviderInstance provided;
  final Instant launchTime;
  /** When the group first knew it (monotonic); health checks started before ignore it. */
  final long knownSinceNanos;
  /** The availability zone: the provider's report, else the zone the launch asked for (null without zones). */
  final String zone;
  /** Null until the group first sets it (a new or adopted instance). */
  InstanceState state;
  boolean healthy = true;
  String unhealthyCause;
  /** Replace without waiting for the replacement pace (a user health check, a failed status check). */
  boolean replaceAtOnce;
  /** When it went in service (monotonic), -1 before. */
  long inServiceNanos = -1;
  boolean protectedFromScaleIn;
  /** The attached target groups it is registered with, by name. */
  final Set<String> registeredIn = new HashSet<>();

  ManagedInstance(ProviderInstance provided, long nowNanos, String requestedZone) {
    this.id = provided.id();
    this.provided = provided;
    this.launchTime = provided.launchTime();
    this.knownSinceNanos = nowNanos;
    this.zone = provided.zone() != null ? provided.zone() : requestedZone;
  }

  /** The published snapshot. */
  Instance view() {
    return new Instance(id, provided.host(), provided.port(), state, healthy, launchTime, protectedFromScaleIn, zone);
  }

  /** The target registered for it in the attached target groups, tagged with the group's name. */
  Target target(String groupName) {
    return Target.builder(id, provided.host(), provided.port()).zone(zone).metadata(provided.metadata())
        .metadata(DefaultScalingGroup.GROUP_METADATA, groupName).build();
  }
}
