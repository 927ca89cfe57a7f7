package dev.loadstar.scaling.spi;

import dev.loadstar.core.config.Checks;
import java.time.Instant;
import java.util.Map;

/**
 * An instance as its provider sees it: id, address, state, launch time and the group that launched it.
 *
 * @param id the instance id, unique within the provider
 * @param host where it serves (an IP address or host name)
 * @param port the port it serves on
 * @param state its state as the provider sees it
 * @param launchTime when it was launched
 * @param groupName the scaling group that launched it (used by {@link InstanceProvider#describe} to find a
 *     group's instances after a restart)
 * @param metadata provider-specific details (copied into the target's metadata)
 * @param zone the availability zone it runs in, or {@code null} when the provider has no zones
 */
public record ProviderInstance(String id, String host, int port, State state, Instant launchTime, String groupName,
    Map<String, String> metadata, String zone) {

  /** The provider's view of an instance's state (EC2's instance states, reduced). */
  public enum State {
    /** Starting; not yet serving. */
    PENDING,
    /** Running (its workload may still be unhealthy: that is for health checks to find). */
    RUNNING,
    /** Stopped, crashed or exited on its own. */
    STOPPED,
    /** Terminated or gone. */
    TERMINATED
  }

  /** Validates the fields. */
  public ProviderInstance {
    Checks.notBlank("id", id);
    Checks.notBlank("host", host);
    Checks.range("port", port, 1, 65535);
    Checks.notNull("state", state);
    Checks.notNull("launchTime", launchTime);
    metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    if (zone != null) {
      Checks.notBlank("zone", zone);
    }
  }

  /** An instance without a zone. */
  public ProviderInstance(String id, String host, int port, State state, Instant launchTime, String groupName,
      Map<String, String> metadata) {
    this(id, host, port, state, launchTime, groupName, metadata, null);
  }

  /** The same instance in another state. */
  public ProviderInstance withState(State newState) {
    return new ProviderInstance(id, host, port, newState, launchTime, groupName, metadata, zone);
  }
}
