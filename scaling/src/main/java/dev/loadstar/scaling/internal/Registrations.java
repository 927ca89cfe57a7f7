package dev.loadstar.scaling.internal;

import dev.loadstar.core.HealthChangeEvent;
import dev.loadstar.core.Target;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetGroupListener;
import dev.loadstar.core.TargetHealth;
import dev.loadstar.core.config.Checks;
import dev.loadstar.scaling.InstanceState;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The attached target groups: attaching registers every in-service instance and listens for targets turning
 * unhealthy; detaching deregisters (drains) them; instances are registered when they go in service and
 * deregistered before they terminate. Confined to the group's context.
 */
final class Registrations {

  private final GroupState state;
  private final Map<String, Runnable> listenerHandles = new HashMap<>();

  Registrations(GroupState state) {
    this.state = state;
  }

  /** Attaches a target group (once per name) and registers every in-service instance with it. */
  void attach(TargetGroup g) {
    if (state.groups.containsKey(g.name())) {
      return;
    }
    state.groups.put(g.name(), g);
    state.groupView = List.copyOf(state.groups.values());
    Runnable handle = g.addListener(new TargetGroupListener() {
      @Override
      public void onHealthChanged(HealthChangeEvent event) {
        if (event.current().state() == TargetHealth.State.UNHEALTHY) {
          state.ctx.runOnContext(v -> {
            state.health.checkLoadBalancerHealth();
            state.reconciler.reconcile();
          });
        }
      }
    });
    listenerHandles.put(g.name(), handle);
    for (ManagedInstance m : state.instances.values()) {
      if (m.state == InstanceState.IN_SERVICE) {
        register(g, m, m.target(state.name()));
      }
    }
  }

  /** Detaches a target group; completes when every instance has drained from it. */
  Future<Void> detach(String targetGroupName) {
    TargetGroup g = state.groups.remove(targetGroupName);
    if (g == null) {
      return Future.failedFuture(Checks.invalid("targetGroupName", "\"" + targetGroupName + "\"",
          "a target group attached to " + state.name()));
    }
    state.groupView = List.copyOf(state.groups.values());
    Runnable handle = listenerHandles.remove(targetGroupName);
    if (handle != null) {
      handle.run();
    }
    List<Future<Void>> drains = new ArrayList<>();
    for (ManagedInstance m : state.instances.values()) {
      if (m.registeredIn.remove(targetGroupName)) {
        drains.add(g.deregister(m.id).recover(e -> Future.succeededFuture()));
      }
    }
    return state.hop(Future.join(drains)).mapEmpty();
  }

  /** Registers an instance going in service with every attached target group. */
  void registerEverywhere(ManagedInstance m) {
    Target target = m.target(state.name());
    for (TargetGroup g : state.groups.values()) {
      register(g, m, target);
    }
  }

  private void register(TargetGroup g, ManagedInstance m, Target target) {
    try {
      g.register(target);
      m.registeredIn.add(g.name());
    } catch (RuntimeException e) {
      GroupState.LOG.log(System.Logger.Level.WARNING, "scaling group " + state.name() + ": cannot register " + m.id
          + " with " + g.name(), e);
    }
  }

  /** Deregisters an instance from every target group it is registered with; completes (on the context) when drained. */
  Future<Void> deregisterEverywhere(ManagedInstance m) {
    List<Future<Void>> drains = new ArrayList<>();
    for (String groupName : m.registeredIn) {
      TargetGroup g = state.groups.get(groupName);
      if (g != null) {
        drains.add(g.deregister(m.id).recover(e -> Future.succeededFuture()));
      }
    }
    m.registeredIn.clear();
    return state.hop(Future.join(drains)).mapEmpty();
  }

  /** Stops listening to the target groups' events. */
  void close() {
    listenerHandles.values().forEach(Runnable::run);
    listenerHandles.clear();
  }
}
