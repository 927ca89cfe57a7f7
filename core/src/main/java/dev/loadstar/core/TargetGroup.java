package dev.loadstar.core;

import dev.loadstar.core.internal.DefaultTargetGroup;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
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
 *
 * <p>A group is also a {@link Balancer}: a balancer target in another group may hand its requests to it.
 */
public interface TargetGroup extends Balancer {

  /** A new, empty group. {@code vertx} provides the timers for draining, slow start and anomaly detection. */
  static TargetGroup create(Vertx vertx, TargetGroupConfig config) {
    return new DefaultTargetGroup(vertx, config);
  }

  /** The group name. */
  String name();

  /** The group's settings. */
  TargetGroupConfig config();

  /**
   * Registers a target. A new target starts {@code initial} when health checking is enabled and applies to it
   * ({@link Target#healthCheckEnabled()}), else {@code unavailable}. A balancer target whose delegate leads back to
   * this group is refused with an {@link IllegalArgumentException} naming the loop
   * ({@code target: b-in-a (expected: no loop; target group a -> b -> a)}). Registering an id that is already registered updates its weight, zone and metadata
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
   * As {@link #routableTarget(String)}, for a request from a balancer in {@code context}'s zone: with cross-zone load
   * balancing off, a target in another zone is refused while the caller's zone serves locally (so a sticky cookie
   * naming it yields a fresh pick in the caller's zone).
   */
  default RegisteredTarget routableTarget(String targetId, SelectionContext context) {
    return routableTarget(targetId);
  }

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

  /**
   * The group broken down by availability zone, zones in first-registration order, the targets without a zone
   * last (zone {@code null}); draining targets are left out.
   */
  List<ZoneHealthDescription> describeZones();

  /** {@code target group}. */
  @Override
  default String balancerType() {
    return "target group";
  }

  /** The group name. */
  @Override
  default String balancerName() {
    return name();
  }

  /** The delegates of the group's active balancer targets. */
  @Override
  default Collection<? extends Balancer> downstream() {
    List<Balancer> out = new ArrayList<>();
    for (RegisteredTarget t : targets()) {
      if (t.target().kind() == Target.Kind.BALANCER && t.isActive()) {
        out.add(t.target().balancer());
      }
    }
    return out;
  }

  /** Adds a listener; returns a handle that removes it. */
  Runnable addListener(TargetGroupListener listener);

  /** Stops the group's timers and completes every pending deregistration; idempotent. */
  Future<Void> close();
}
