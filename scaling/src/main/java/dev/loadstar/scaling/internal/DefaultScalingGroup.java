package dev.loadstar.scaling.internal;

import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.config.Checks;
import dev.loadstar.core.time.TimeSource;
import dev.loadstar.scaling.HealthCheckType;
import dev.loadstar.scaling.Instance;
import dev.loadstar.scaling.ScalingActivity;
import dev.loadstar.scaling.ScalingGroup;
import dev.loadstar.scaling.ScalingGroupConfig;
import dev.loadstar.scaling.ScalingGroupListener;
import dev.loadstar.scaling.spi.InstanceProvider;
import dev.loadstar.scaling.spi.InstanceProviderContext;
import dev.loadstar.scaling.spi.InstanceProviderFactory;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Objects;

/**
 * The scaling group's public face: validates requests and applies them on the group's context through its parts
 * ({@link Reconciler}, {@link Launcher}, {@link Terminator}, {@link HookRunner}, {@link HealthMonitor},
 * {@link PolicyEvaluator}, {@link Registrations}), which share a {@link GroupState}. All mutable state is confined to
 * one Vert.x context; readers see volatile snapshots.
 */
public final class DefaultScalingGroup implements ScalingGroup {

  /** Target metadata key naming the scaling group an instance belongs to. */
  public static final String GROUP_METADATA = "loadstar.scaling.group";

  private final GroupState state;
  // Confined to the context.
  private boolean ownsProvider;
  private boolean starting;

  /** A group on {@code vertx.getOrCreateContext()} whose timers and times come from {@code time}. */
  public DefaultScalingGroup(Vertx vertx, ScalingGroupConfig config, TimeSource time) {
    Objects.requireNonNull(vertx, "vertx");
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(time, "time");
    state = new GroupState(vertx, config, time);
    state.policies = new PolicyEvaluator(state);
    state.reconciler = new Reconciler(state);
    state.launcher = new Launcher(state);
    state.terminator = new Terminator(state);
    state.hooks = new HookRunner(state);
    state.health = new HealthMonitor(state);
    state.registrations = new Registrations(state);
  }

  @Override
  public String name() {
    return state.name();
  }

  @Override
  public ScalingGroupConfig config() {
    return state.config;
  }

  @Override
  public Future<Void> start() {
    return state.onContext(() -> {
      if (state.started || starting) {
        return Future.succeededFuture();
      }
      if (state.closed) {
        return Future.failedFuture(new IllegalStateException("scaling group " + name() + " is closed"));
      }
      starting = true;
      ScalingGroupConfig config = state.config;
      Future<InstanceProvider> resolved = config.provider() != null ? Future.succeededFuture(config.provider())
          : state.hop(state.vertx.executeBlocking(() -> InstanceProviderFactory.registry().create(
              config.launchTemplate().provider(), new InstanceProviderContext(state.vertx, state.time, null)), false));
      return resolved.compose(p -> {
        state.provider = p;
        ownsProvider = config.provider() == null;
        if (state.closed) {
          starting = false;
          return ownsProvider ? p.close() : Future.<Void>succeededFuture();
        }
        for (TargetGroup g : config.targetGroups()) {
          state.registrations.attach(g);
        }
        long describeStart = state.time.nanoTime();
        return state.hop(GroupState.safe(() -> p.describe(name(), config.launchTemplate()))).<Void>map(found -> {
          starting = false;
          if (state.closed) {
            return null;
          }
          state.reconciler.adopt(found, describeStart);
          state.started = true;
          state.health.schedule();
          state.policies.schedule();
          state.reconciler.reconcile();
          return null;
        });
      });
    }).onFailure(e -> starting = false);
  }

  @Override
  public int minSize() {
    return state.minSize;
  }

  @Override
  public int desiredCapacity() {
    return state.desiredCapacity;
  }

  @Override
  public int maxSize() {
    return state.maxSize;
  }

  @Override
  public Future<Void> setDesiredCapacity(int desired) {
    return state.onContext(() -> {
      ScalingGroupConfig.checkCapacity(state.minSize, desired, state.maxSize);
      state.reconciler.changeDesired(desired, "a user request changed the desired capacity", false);
      return Future.succeededFuture();
    });
  }

  @Override
  public Future<Void> updateCapacity(int min, int desired, int max) {
    return state.onContext(() -> {
      ScalingGroupConfig.checkCapacity(min, desired, max);
      state.minSize = min;
      state.maxSize = max;
      state.reconciler.changeDesired(desired, "a user request update of the group constraints to min: " + min
          + ", max: " + max + ", desired: " + desired + " changed the desired capacity", false);
      return Future.succeededFuture();
    });
  }

  @Override
  public HealthCheckType healthCheckType() {
    return state.healthCheckType;
  }

  @Override
  public Future<Void> setHealthCheckType(HealthCheckType type) {
    Checks.notNull("healthCheckType", type);
    return state.onContext(() -> {
      state.healthCheckType = type;
      state.health.checkLoadBalancerHealth();
      state.reconciler.request();
      return Future.succeededFuture();
    });
  }

  @Override
  public Future<Void> attachTargetGroup(TargetGroup group) {
    Checks.notNull("targetGroup", group);
    return state.onContext(() -> {
      if (state.groups.size() >= ScalingGroupConfig.MAX_PER_GROUP && !state.groups.containsKey(group.name())) {
        throw Checks.invalid("targetGroups", state.groups.size() + 1, "0-" + ScalingGroupConfig.MAX_PER_GROUP);
      }
      state.registrations.attach(group);
      return Future.succeededFuture();
    });
  }

  @Override
  public Future<Void> detachTargetGroup(String targetGroupName) {
    return state.onContext(() -> state.registrations.detach(targetGroupName));
  }

  @Override
  public List<TargetGroup> targetGroups() {
    return state.groupView;
  }

  @Override
  public List<Instance> instances() {
    return state.instanceView;
  }

  @Override
  public Instance instance(String instanceId) {
    for (Instance i : state.instanceView) {
      if (i.id().equals(instanceId)) {
        return i;
      }
    }
    return null;
  }

  @Override
  public List<ScalingActivity> activities() {
    return state.activities();
  }

  @Override
  public Future<Void> setInstanceProtection(String instanceId, boolean protectedFromScaleIn) {
    return state.onContext(() -> {
      ManagedInstance m = state.member(instanceId);
      m.protectedFromScaleIn = protectedFromScaleIn;
      state.publish();
      return Future.succeededFuture();
    });
  }

  @Override
  public Future<Void> setInstanceHealth(String instanceId, boolean healthy) {
    return state.onContext(() -> {
      ManagedInstance m = state.member(instanceId);
      if (!healthy) {
        state.health.markUnhealthy(m, "At " + state.now() + " an instance was taken out of service in response to a"
            + " user health-check.", true);
      } else if (m.state.countsAsCapacity()) {
        m.healthy = true;
        m.unhealthyCause = null;
        state.publish();
      }
      return Future.succeededFuture();
    });
  }

  @Override
  public Future<Void> terminateInstance(String instanceId, boolean decrementDesiredCapacity) {
    return state.onContext(() -> {
      ManagedInstance m = state.member(instanceId);
      if (!m.state.countsAsCapacity()) {
        throw Checks.invalid("instanceId", instanceId, "an instance of " + name() + " that is not terminating");
      }
      String cause = "At " + state.now() + " instance " + instanceId + " was taken out of service in response to a"
          + " user request";
      if (decrementDesiredCapacity) {
        ScalingGroupConfig.checkCapacity(state.minSize, state.desiredCapacity - 1, state.maxSize);
        int before = state.desiredCapacity;
        state.desiredCapacity = before - 1;
        state.fire(l -> l.onDesiredCapacityChanged(before, before - 1, "a user request terminated " + instanceId));
        cause += ", shrinking the capacity from " + before + " to " + (before - 1) + ".";
      } else {
        cause += ".";
      }
      Future<Void> done = state.terminator.terminate(m, cause, false);
      state.reconciler.request();
      return done;
    });
  }

  @Override
  public Runnable addListener(ScalingGroupListener listener) {
    Objects.requireNonNull(listener, "listener");
    return state.addListener(listener);
  }

  @Override
  public Future<Void> close() {
    return state.onContext(() -> {
      if (state.closed) {
        return Future.succeededFuture();
      }
      state.closed = true;
      state.health.close();
      state.policies.close();
      state.launcher.close();
      state.registrations.close();
      if (ownsProvider && state.provider != null) {
        return state.provider.close();
      }
      return Future.succeededFuture();
    });
  }

  @Override
  public String toString() {
    return "ScalingGroup{" + name() + " min=" + state.minSize + " desired=" + state.desiredCapacity + " max="
        + state.maxSize + " " + state.instanceView.size() + " instances}";
  }
}
