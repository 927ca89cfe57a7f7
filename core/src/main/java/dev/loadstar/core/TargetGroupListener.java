package dev.loadstar.core;

/**
 * Receives a target group's events. Every method has a no-op default.
 *
 * <p>Ordering and threading: membership and health events are delivered synchronously on the thread that made
 * the change, one at a time, in the order the changes were applied, after the snapshot reflecting the change is
 * published. {@code onTargetRegistered} comes before any health change of that target, and
 * {@code onTargetDeregistered} after its last one. {@link #onRequestEnd} and {@link #onNoTargetSelected} are
 * called on the request's thread, concurrently with everything else. Listeners must not block and should not
 * throw; an exception thrown by a listener is logged and swallowed.
 */
public interface TargetGroupListener {

  /** A target was registered (its health is {@code initial} or {@code unavailable}). */
  default void onTargetRegistered(TargetGroup group, RegisteredTarget target) {
  }

  /** A target started draining (deregistration in progress). */
  default void onTargetDraining(TargetGroup group, RegisteredTarget target) {
  }

  /** A target left the group (draining finished or delay elapsed); its health is now {@code unused}. */
  default void onTargetDeregistered(TargetGroup group, RegisteredTarget target) {
  }

  /** A target's health changed (including to and from {@code draining} and to {@code unused}). */
  default void onHealthChanged(HealthChangeEvent event) {
  }

  /** The group started or stopped failing open. */
  default void onFailOpenChanged(TargetGroup group, boolean failingOpen) {
  }

  /** Selection found nothing: the group has no routable target (hot path: keep it cheap). */
  default void onNoTargetSelected(TargetGroup group) {
  }

  /** A request to a target ended (hot path: keep it cheap, do not allocate). */
  default void onRequestEnd(RegisteredTarget target, RequestOutcome outcome, long latencyNanos) {
  }
}
