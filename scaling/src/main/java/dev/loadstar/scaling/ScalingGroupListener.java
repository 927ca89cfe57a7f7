package dev.loadstar.scaling;

/**
 * Receives a scaling group's events. Every method has a no-op default.
 *
 * <p>Threading and order: callbacks run on the group's Vert.x context, one at a time, in the order things
 * happened. An activity is reported when it starts and again at each status change, the last time with a done
 * status; an instance's state changes are reported in lifecycle order ({@code Pending} ... {@code Terminated}).
 * Listeners must not block; an exception thrown by a listener is logged and swallowed.
 */
public interface ScalingGroupListener {

  /** An activity started or changed status (check {@link ScalingActivity#isDone()}). */
  default void onActivity(ScalingActivity activity) {
  }

  /** An instance entered a new lifecycle state. */
  default void onInstanceStateChanged(Instance instance, InstanceState previous) {
  }

  /** The group marked an instance unhealthy (it will be replaced). */
  default void onInstanceUnhealthy(Instance instance, String cause) {
  }

  /** The desired capacity changed (manually or by a policy). */
  default void onDesiredCapacityChanged(int previous, int current, String cause) {
  }
}
