package dev.loadstar.scaling.internal;

import dev.loadstar.core.RegisteredTarget;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetHealth;
import dev.loadstar.scaling.HealthCheckType;
import dev.loadstar.scaling.Instance;
import dev.loadstar.scaling.InstanceState;
import dev.loadstar.scaling.spi.ProviderInstance;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Decides which instances are unhealthy: every {@code healthCheckInterval} the provider's description (an instance
 * it reports stopped, terminated or not at all is replaced at once) and, with health check type
 * {@code LOAD_BALANCER}, the attached target groups' health after the grace period. Confined to the group's context.
 */
final class HealthMonitor {

  private final GroupState state;
  private long timer = -1;
  private boolean running;

  HealthMonitor(GroupState state) {
    this.state = state;
  }

  /** Arms the next periodic health check. */
  void schedule() {
    if (state.closed) {
      return;
    }
    timer = state.time.setTimer(state.config.healthCheckInterval().toMillis(), () -> {
      timer = -1;
      check().onComplete(v -> schedule());
    });
  }

  private Future<Void> check() {
    if (state.closed || running) {
      return Future.succeededFuture();
    }
    running = true;
    long describeStart = state.time.nanoTime();
    return state.hop(GroupState.safe(() -> state.provider.describe(state.name(), state.config.launchTemplate())))
        .transform(ar -> {
          running = false;
          if (state.closed) {
            return Future.succeededFuture();
          }
          if (ar.failed()) {
            GroupState.LOG.log(System.Logger.Level.WARNING, "scaling group " + state.name() + ": describe failed",
                ar.cause());
          } else {
            checkProviderStatus(ar.result(), describeStart);
          }
          checkLoadBalancerHealth();
          state.reconciler.reconcile();
          return Future.succeededFuture();
        });
  }

  /** Marks in-service instances the provider no longer runs (and knew before the describe started). */
  private void checkProviderStatus(Iterable<ProviderInstance> described, long describeStart) {
    Map<String, ProviderInstance> byId = new HashMap<>();
    for (ProviderInstance pi : described) {
      byId.put(pi.id(), pi);
    }
    for (ManagedInstance m : new ArrayList<>(state.instances.values())) {
      if (m.state != InstanceState.IN_SERVICE || !m.healthy || m.knownSinceNanos - describeStart > 0) {
        continue;
      }
      ProviderInstance pi = byId.get(m.id);
      if (pi == null || pi.state() == ProviderInstance.State.STOPPED
          || pi.state() == ProviderInstance.State.TERMINATED) {
        String what = pi == null ? "not found" : pi.state().name().toLowerCase(Locale.ROOT);
        markUnhealthy(m, "At " + state.now() + " an instance was taken out of service in response to an instance"
            + " status check failure (the provider reports the instance " + what + ").", true);
      }
    }
  }

  /**
   * With health check type {@code LOAD_BALANCER}: marks unhealthy every in-service instance past its grace period
   * that an attached target group finds unhealthy.
   */
  void checkLoadBalancerHealth() {
    if (state.healthCheckType != HealthCheckType.LOAD_BALANCER || state.closed) {
      return;
    }
    long now = state.time.nanoTime();
    long grace = state.config.healthCheckGracePeriod().toNanos();
    for (ManagedInstance m : new ArrayList<>(state.instances.values())) {
      if (m.state != InstanceState.IN_SERVICE || !m.healthy || now - m.inServiceNanos < grace) {
        continue;
      }
      for (TargetGroup g : state.groups.values()) {
        RegisteredTarget t = g.target(m.id);
        if (t != null && t.health().state() == TargetHealth.State.UNHEALTHY) {
          markUnhealthy(m, "At " + state.now() + " an instance was taken out of service in response to an ELB health"
              + " check failure (target group " + g.name() + ": " + t.health() + ").", false);
          break;
        }
      }
    }
  }

  /** Marks an instance unhealthy (once), tells the listeners and reconciles; {@code atOnce} skips the pacing. */
  void markUnhealthy(ManagedInstance m, String cause, boolean atOnce) {
    if (!m.healthy) {
      m.replaceAtOnce |= atOnce;
      state.reconciler.request();
      return;
    }
    m.healthy = false;
    m.unhealthyCause = cause;
    m.replaceAtOnce = atOnce;
    state.publish();
    Instance view = m.view();
    state.fire(l -> l.onInstanceUnhealthy(view, cause));
    state.reconciler.request();
  }

  /** Cancels the health check timer. */
  void close() {
    if (timer >= 0) {
      state.time.cancelTimer(timer);
      timer = -1;
    }
  }
}
