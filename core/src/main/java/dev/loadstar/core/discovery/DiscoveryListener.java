package dev.loadstar.core.discovery;

/**
 * Receives a discovery's events. Every method has a no-op default. Callbacks run on the discovery's Vert.x
 * context, in order, after the change they report was applied to the group; they must not block, and an
 * exception thrown by a listener is logged and swallowed.
 */
public interface DiscoveryListener {

  /** A source delivered an answer and the group now reflects it (also the first answer, and a recovery). */
  default void onSourceUpdated(TargetDiscovery discovery, TargetSourceStatus status) {
  }

  /** A source's attempt failed; the group keeps the source's last known good targets. */
  default void onSourceFailed(TargetDiscovery discovery, TargetSourceStatus status, Throwable cause) {
  }

  /** Every source has delivered its first answer (once per discovery). */
  default void onReady(TargetDiscovery discovery) {
  }
}
