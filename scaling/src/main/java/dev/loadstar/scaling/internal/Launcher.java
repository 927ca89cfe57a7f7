package dev.loadstar.scaling.internal;

import dev.loadstar.scaling.InstanceState;
import dev.loadstar.scaling.LifecycleHook;
import dev.loadstar.scaling.ScalingActivity;
import dev.loadstar.scaling.ScalingActivityStatus;
import dev.loadstar.scaling.spi.ProviderInstance;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Launches instances: picks the zone, asks the provider, runs the launching lifecycle hooks, registers the instance
 * with the attached target groups and puts it in service. After a failed launch, launches wait for a backoff that
 * doubles per consecutive failure up to {@code launchBackoffMax}. Confined to the group's context.
 */
final class Launcher {

  private final GroupState state;
  /** Launches in flight (asked of the provider, no instance yet). */
  private int launching;
  /** Launches in flight per zone (counted by {@link #nextZone()} so that a burst of launches spreads). */
  private final Map<String, Integer> launchingByZone = new HashMap<>();
  private int consecutiveFailures;
  private long backoffUntilNanos;
  private long backoffTimer = -1;

  Launcher(GroupState state) {
    this.state = state;
    this.backoffUntilNanos = state.time.nanoTime();
  }

  /** Launches in flight. */
  int inFlight() {
    return launching;
  }

  /**
   * Launches {@code desired - capacity} instances, or, while the backoff after a failed launch runs, reconciles again
   * when it ends.
   */
  void launchUpTo(int capacity, int desired, String causePrefix) {
    long now = state.time.nanoTime();
    if (now - backoffUntilNanos < 0) {
      armBackoffTimer(backoffUntilNanos - now);
      return;
    }
    for (int c = capacity; c < desired; c++) {
      launch(causePrefix + "At " + state.now() + " an instance was started in response to a difference between"
          + " desired and actual capacity, increasing the capacity from " + c + " to " + desired + ".");
    }
  }

  private void launch(String cause) {
    String zone = nextZone();
    launching++;
    if (zone != null) {
      launchingByZone.merge(zone, 1, Integer::sum);
    }
    Activity act = new Activity(state, ScalingActivity.Kind.LAUNCH, null, "Launching a new instance"
        + (zone == null ? "" : " in " + zone), cause, state.reconciler.policyEpisode(),
        ScalingActivityStatus.WAITING_FOR_INSTANCE_ID);
    state.hop(GroupState.safe(() -> zone == null ? state.provider.launch(state.name(), state.config.launchTemplate())
        : state.provider.launch(state.name(), state.config.launchTemplate(), zone))).onComplete(ar -> {
          launching--;
          if (zone != null) {
            launchingByZone.merge(zone, -1, Integer::sum);
          }
          if (ar.failed()) {
            act.finish(ScalingActivityStatus.FAILED, "Launching a new instance failed: "
                + GroupState.describe(ar.cause()));
            failed();
            return;
          }
          launched(ar.result(), zone, act);
        });
  }

  private void launched(ProviderInstance pi, String zone, Activity act) {
    if (state.closed) {
      act.instance(pi.id(), null);
      act.finish(ScalingActivityStatus.CANCELLED, "The group was closed during the launch; instance " + pi.id()
          + " is left running (a group of the same name adopts it on start).");
      return;
    }
    ManagedInstance m = new ManagedInstance(pi, state.time.nanoTime(), zone);
    m.protectedFromScaleIn = state.config.newInstancesProtectedFromScaleIn();
    state.instances.put(m.id, m);
    act.instance(m.id, "Launching a new instance: " + m.id + (m.zone == null ? "" : " in " + m.zone));
    act.status(ScalingActivityStatus.IN_PROGRESS);
    state.setState(m, InstanceState.PENDING);
    state.hooks.run(m, LifecycleHook.Transition.LAUNCHING, act).onComplete(hr -> {
      if (hr.result() == LifecycleHook.Result.ABANDON) {
        act.finish(ScalingActivityStatus.FAILED, "Instance failed to complete user's Lifecycle Action: the"
            + " launching lifecycle action was abandoned (result ABANDON).");
        state.terminator.terminateQuietly(m);
        failed();
        return;
      }
      consecutiveFailures = 0;
      state.registrations.registerEverywhere(m);
      m.inServiceNanos = state.time.nanoTime();
      // The activity ends first: whoever sees the instance InService sees its launch done.
      act.finish(ScalingActivityStatus.SUCCESSFUL, null);
      state.setState(m, InstanceState.IN_SERVICE);
      state.reconciler.request();
    });
  }

  /**
   * The zone a new instance goes to: the provider's zone with the fewest instances in capacity or being launched,
   * the first such in the provider's order; null when the provider has no zones.
   */
  private String nextZone() {
    List<String> zones = state.provider.zones();
    if (zones == null || zones.isEmpty()) {
      return null;
    }
    Map<String, Integer> perZone = new HashMap<>(launchingByZone);
    for (ManagedInstance m : state.instances.values()) {
      if (m.state.countsAsCapacity() && m.zone != null) {
        perZone.merge(m.zone, 1, Integer::sum);
      }
    }
    String best = zones.get(0);
    for (String z : zones) {
      if (perZone.getOrDefault(z, 0) < perZone.getOrDefault(best, 0)) {
        best = z;
      }
    }
    return best;
  }

  private void failed() {
    consecutiveFailures++;
    long initial = state.config.launchBackoffInitial().toNanos();
    long max = state.config.launchBackoffMax().toNanos();
    long delay = initial;
    for (int i = 1; i < consecutiveFailures && delay < max; i++) {
      delay = delay * 2;
    }
    delay = Math.min(delay, max);
    backoffUntilNanos = state.time.nanoTime() + delay;
    armBackoffTimer(delay);
  }

  private void armBackoffTimer(long delayNanos) {
    if (state.closed) {
      return;
    }
    if (backoffTimer >= 0) {
      state.time.cancelTimer(backoffTimer);
    }
    long ms = Math.max(1, (delayNanos + 999_999) / 1_000_000);
    backoffTimer = state.time.setTimer(ms, () -> {
      backoffTimer = -1;
      state.reconciler.reconcile();
    });
  }

  /** Cancels the backoff timer. */
  void close() {
    if (backoffTimer >= 0) {
      state.time.cancelTimer(backoffTimer);
      backoffTimer = -1;
    }
  }
}
