package dev.loadstar.scaling.spi;

import dev.loadstar.scaling.LaunchTemplate;
import io.vertx.core.Future;
import java.util.List;

/**
 * Launches, terminates and describes instances: what EC2 is to an Auto Scaling group.
 *
 * <p>Contract: every method may be called from any thread, including a Vert.x event loop, and must not block it
 * (run blocking work through {@code vertx.executeBlocking}); returned futures may complete on any thread. A
 * scaling group calls {@link #launch} and {@link #terminate} concurrently for different instances, never twice
 * at once for the same instance. Implementations are found by name through {@link InstanceProviderFactory} and
 * {@link java.util.ServiceLoader}, or handed to the group directly.
 */
public interface InstanceProvider {

  /** The provider's name, as launch templates refer to it (e.g. {@code in-process}). */
  String name();

  /**
   * Launches one instance for the group from the template. The future completes when the instance is running
   * and its address is known, or fails (the group records a failed activity and retries with backoff).
   */
  Future<ProviderInstance> launch(String groupName, LaunchTemplate template);

  /**
   * The availability zones this provider launches into, in order; empty (the default) when it has none. A scaling
   * group spreads its instances evenly over them and scales in from the most populated one first.
   */
  default List<String> zones() {
    return List.of();
  }

  /**
   * Launches one instance in the given zone (one of {@link #zones()}; {@code null} for none). The default ignores the
   * zone: providers with zones override it and report the zone in {@link ProviderInstance#zone()}.
   */
  default Future<ProviderInstance> launch(String groupName, LaunchTemplate template, String zone) {
    return launch(groupName, template);
  }

  /**
   * Terminates the instance. Completes when it is gone; terminating an instance that is already gone succeeds.
   * The group calls this only after the instance has drained from its target groups.
   */
  Future<Void> terminate(String instanceId);

  /**
   * Describes the instances this provider knows for the group and template (those it launched, and, where the
   * provider can tell, those a previous run launched), with their current state. Used for health checks of type
   * {@code PROVIDER} and to reconcile on start (the group's first call).
   */
  Future<List<ProviderInstance>> describe(String groupName, LaunchTemplate template);

  /** Releases the provider's resources (servers, processes, watches, clients); idempotent. */
  Future<Void> close();
}
