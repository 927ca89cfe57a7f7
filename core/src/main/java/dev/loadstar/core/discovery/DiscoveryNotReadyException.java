package dev.loadstar.core.discovery;

import java.time.Duration;
import java.util.List;

/**
 * {@link TargetDiscovery#whenReady} timed out: it names the group, the sources still without a first answer
 * (with their last error) and the timeout.
 */
public class DiscoveryNotReadyException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String group;
  private final transient List<String> pendingSources;
  private final transient Duration timeout;

  /** A timeout for the given group after {@code timeout}, with the sources still pending. */
  public DiscoveryNotReadyException(String group, List<String> pendingSources, Duration timeout, String message) {
    super(message);
    this.group = group;
    this.pendingSources = List.copyOf(pendingSources);
    this.timeout = timeout;
  }

  /** The target group name. */
  public String group() {
    return group;
  }

  /** The names of the sources that had not answered yet. */
  public List<String> pendingSources() {
    return pendingSources;
  }

  /** How long the caller waited. */
  public Duration timeout() {
    return timeout;
  }
}
