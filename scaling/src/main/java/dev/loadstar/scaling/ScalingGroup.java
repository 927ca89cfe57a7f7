package dev.loadstar.scaling;

import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.time.TimeSource;
import dev.loadstar.scaling.internal.DefaultScalingGroup;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;

/**
 * Keeps a desired number of instances running through an {@link dev.loadstar.scaling.spi.InstanceProvider},
 * registers them with the attached target groups, replaces unhealthy ones and follows scaling policies: an Auto
 * Scaling group, in process.
 *
 * <p>Threading: the group runs on the Vert.x context it was created on (timers, provider callbacks and target
 * group events are all handled there) and never blocks it. Every method may be called from any thread; methods
 * returning a future apply the change on the group's context. Reads ({@link #instances()},
 * {@link #activities()}, capacities) return the latest published snapshot.
 */
public interface ScalingGroup {

  /** A new, stopped group; call {@link #start()}. Created on {@code vertx.getOrCreateContext()}. */
  static ScalingGroup create(Vertx vertx, ScalingGroupConfig config) {
    return create(vertx, config, TimeSource.system(vertx));
  }

  /**
   * A new, stopped group whose timers (health checks, policy evaluations, cooldowns, warmup, grace period, launch
   * backoff, lifecycle hook timeouts) and activity times run on {@code time}; tests pass a
   * {@link dev.loadstar.core.time.ManualTimeSource}. A provider the group looks up by name gets the same time source.
   */
  static ScalingGroup create(Vertx vertx, ScalingGroupConfig config, TimeSource time) {
    return new DefaultScalingGroup(vertx, config, time);
  }

  /** The group name. */
  String name();

  /** The settings the group was created with. */
  ScalingGroupConfig config();

  /**
   * Reconciles with the provider (adopts the running instances it describes for this group, terminates the ones
   * that are not running), then starts the health, policy and capacity loops. Completes when reconciliation is
   * done; capacity is then launched or terminated towards the desired capacity in the background.
   */
  Future<Void> start();

  /** The current {@code MinSize}. */
  int minSize();

  /** The current {@code DesiredCapacity}. */
  int desiredCapacity();

  /** The current {@code MaxSize}. */
  int maxSize();

  /**
   * Sets the desired capacity ({@code SetDesiredCapacity}). Fails with an {@link IllegalArgumentException}
   * {@code desiredCapacity: 5 (expected: minSize 1 <= desiredCapacity <= maxSize 4)} when out of bounds.
   */
  Future<Void> setDesiredCapacity(int desiredCapacity);

  /** Sets min, desired and max together ({@code UpdateAutoScalingGroup}); validated like the configuration. */
  Future<Void> updateCapacity(int minSize, int desiredCapacity, int maxSize);

  /** The current health check type. */
  HealthCheckType healthCheckType();

  /** Switches the health check type at run time; switching to {@code LOAD_BALANCER} checks every target at once. */
  Future<Void> setHealthCheckType(HealthCheckType type);

  /** Attaches a target group: every in-service instance is registered with it, and so is every later one. */
  Future<Void> attachTargetGroup(TargetGroup group);

  /** Detaches a target group: every instance is deregistered from it (draining). Completes when drained. */
  Future<Void> detachTargetGroup(String targetGroupName);

  /** The attached target groups. */
  List<TargetGroup> targetGroups();

  /** Every instance the group holds (terminated ones excluded), oldest launch first. */
  List<Instance> instances();

  /** The instance with this id, or {@code null}. */
  Instance instance(String instanceId);

  /** The activity history, oldest first (the most recent 1000 activities). */
  List<ScalingActivity> activities();

  /** Sets or clears an instance's scale-in protection ({@code SetInstanceProtection}). */
  Future<Void> setInstanceProtection(String instanceId, boolean protectedFromScaleIn);

  /** Marks an instance unhealthy so that it is replaced at once, or healthy again ({@code SetInstanceHealth}). */
  Future<Void> setInstanceHealth(String instanceId, boolean healthy);

  /**
   * Terminates one instance (draining first), optionally lowering the desired capacity by one
   * ({@code TerminateInstanceInAutoScalingGroup}); without the decrement the group launches a replacement.
   */
  Future<Void> terminateInstance(String instanceId, boolean decrementDesiredCapacity);

  /** Adds a listener; returns a handle that removes it. */
  Runnable addListener(ScalingGroupListener listener);

  /**
   * Stops the group's timers and detaches from the target groups' events; instances keep running (a new group of
   * the same name adopts them on start). Closes the provider when the group looked it up by name. Idempotent.
   */
  Future<Void> close();
}
