package dev.loadstar.core;

import dev.loadstar.core.internal.DefaultTargetGroup;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * A set of targets with one protocol, algorithm, stickiness, slow start, deregistration delay and health
 * setting: ALB's target group, in process.
 *
 * <p>Threading: every method may be called from any thread. Membership and health changes are applied one at a
 * time under a short writer lock and publish a new immutable snapshot; {@link #select} reads the current snapshot
 * without locking or allocating. Listener callbacks run synchronously on the thread that made the change, in the
 * order of the changes, after the new snapshot is published.
 */
public interface TargetGroup {

  /** A new, empty group. {@code vertx} provides the timers for draining, slow start and anomaly detection. */
  static TargetGroup create(Vertx vertx, TargetGroupConfig config) {
    return new DefaultTargetGroup(vertx, config);
  }

  /** The group name. */
  String name();

  /** The group's settings. */
  TargetGroupConfig config();

  /**
   * Registers a target. A new target starts {@code initial} when health checking is enabled, else
   * {@code unavailable}. Registering an id that is already registered updates its weight, zone and metadata
   * (keeping its health when host and port are unchanged); registering an id that is draining stops the draining.
   */
  RegisteredTarget register(Target target);

  /** Registers several targets, as {@link #register(Target)} for each. */
  default void register(Collection<Target> targets) {
    for (Target t : targets) {
      register(t);
    }
  }

  /**
   * Starts deregistering a target: it turns {@code draining} at once and gets no new requests (sticky ones
   * included); it leaves the group when it has nothing in flight or when the deregistration delay has passed,
   * whichever is first. The future completes when it has left; it fails when the id is not registered.
   */
  Future<Void> deregister(String targetId);

  /** The registered target with this id (draining ones included), or {@code null}. */
  RegisteredTarget target(String targetId);

  /** Every registered target, draining ones included, in registration order. */
  List<RegisteredTarget> targets();

  /**
   * Selects a target for a new request with the group's algorithm, among the routable targets (or, while failing
   * open, among all non-draining targets). Returns {@code null} when there is none, after notifying
   * {@link TargetGroupListener#onNoTargetSelected}. Lock-free and allocation-free.
   */
  RegisteredTarget select(SelectionContext context);

  /**
   * The target with this id if a new request may go to it now (registered, not draining, and routable or the
   * group is failing open): what a sticky lookup needs. Returns {@code null} otherwise.
   */
  RegisteredTarget routableTarget(String targetId);

  /**
   * Sets a target's health, as decided by a health checker. Returns false and changes nothing when the target is
   * not registered or is draining. {@code draining} and {@code unused} are managed by the group and are refused.
   */
  boolean updateHealth(String targetId, TargetHealth health);

  /**
   * Sets several targets' health at once, as {@link #updateHealth(String, TargetHealth)} does for each entry in the
   * map's iteration order, rebuilding the snapshot at most once (a health checker following thousands of targets
   * needs this). Listener events follow, in the same order. Returns how many entries named a registered, non-draining
   * target.
   */
  default int updateHealth(Map<String, TargetHealth> healthById) {
    int applied = 0;
    for (Map.Entry<String, TargetHealth> e : healthById.entrySet()) {
      if (updateHealth(e.getKey(), e.getValue())) {
        applied++;
      }
    }
    return applied;
  }

  /** Whether too few targets are routable, so the group currently routes to all non-draining targets. */
  boolean isFailingOpen();

  /** The group's sticky-session codec (cookie values and session keys). */
  StickySessions stickySessions();

  /** One entry per registered target: id, port, health, in-flight, anomaly detection (describe-target-health). */
  List<TargetHealthDescription> describeTargetHealth();

  /** Adds a listener; returns a handle that removes it. */
  Runnable addListener(TargetGroupListener listener);

  /** Stops the group's timers and completes every pending deregistration; idempotent. */
  Future<Void> close();
}
