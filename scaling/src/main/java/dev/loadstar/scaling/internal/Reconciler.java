package dev.loadstar.scaling.internal;

import dev.loadstar.scaling.InstanceState;
import dev.loadstar.scaling.TerminationPolicy;
import dev.loadstar.scaling.spi.ProviderInstance;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Moves the group towards its desired capacity: adopts what the provider runs on start, replaces unhealthy
 * instances at Auto Scaling's pace, launches the missing capacity (after the launch backoff) and terminates the
 * surplus in scale-in order. Remembers what changed the desired capacity, for the activities' causes. Confined to
 * the group's context.
 */
final class Reconciler {

  private final GroupState state;
  private boolean scheduled;
  /** What last changed the desired capacity ("At ... a user request changed ..."), until the group has settled. */
  private String desiredCause;
  /** Whether a policy made that change: the activities it leads to are policy-driven. */
  private boolean policyEpisode;

  Reconciler(GroupState state) {
    this.state = state;
  }

  /**
   * Takes over the instances the provider describes for the group: running and pending ones go in service, the
   * others are terminated.
   */
  void adopt(List<ProviderInstance> found, long describeStart) {
    for (ProviderInstance pi : found) {
      if (state.instances.containsKey(pi.id())) {
        continue;
      }
      ManagedInstance m = new ManagedInstance(pi, describeStart, null);
      state.instances.put(m.id, m);
      if (pi.state() == ProviderInstance.State.RUNNING || pi.state() == ProviderInstance.State.PENDING) {
        m.protectedFromScaleIn = state.config.newInstancesProtectedFromScaleIn();
        state.registrations.registerEverywhere(m);
        m.inServiceNanos = state.time.nanoTime();
        state.setState(m, InstanceState.IN_SERVICE);
      } else {
        state.terminator.terminate(m, "At " + state.now() + " an instance found in state " + pi.state()
            + " when the group started was taken out of service.", false);
      }
    }
    state.publish();
  }

  /** Reconciles soon, once however often it is asked before it runs. */
  void request() {
    if (!scheduled) {
      scheduled = true;
      state.ctx.runOnContext(v -> {
        scheduled = false;
        reconcile();
      });
    }
  }

  /** Moves the group towards its desired capacity: replaces unhealthy instances, launches, terminates. */
  void reconcile() {
    if (!state.started || state.closed) {
      return;
    }
    int desired = state.desiredCapacity;
    replaceUnhealthy(desired);
    int capacity = state.capacity();
    if (capacity < desired) {
      state.launcher.launchUpTo(capacity, desired, causePrefix());
    } else if (capacity > desired) {
      scaleIn(capacity, desired);
    } else if (state.launcher.inFlight() == 0 && allSettled()) {
      desiredCause = null;
      policyEpisode = false;
    }
    state.publish();
  }

  /**
   * Unhealthy instances: at most 10 % of desired (at least 1) being replaced at a time (terminations of unhealthy
   * instances and launches in flight both count); those to replace at once regardless.
   */
  private void replaceUnhealthy(int desired) {
    int limit = Math.max(1, desired / 10);
    int replacing = state.launcher.inFlight();
    for (ManagedInstance m : state.instances.values()) {
      if (!m.healthy && !m.state.countsAsCapacity() && m.state != InstanceState.TERMINATED) {
        replacing++;
      }
    }
    for (ManagedInstance m : new ArrayList<>(state.instances.values())) {
      if (!m.healthy && m.state == InstanceState.IN_SERVICE && (m.replaceAtOnce || replacing < limit)) {
        replacing++;
        state.terminator.terminate(m, m.unhealthyCause, false);
      }
    }
  }

  private void scaleIn(int capacity, int desired) {
    List<ManagedInstance> candidates = new ArrayList<>();
    for (ManagedInstance m : state.instances.values()) {
      if (m.state == InstanceState.IN_SERVICE && !m.protectedFromScaleIn) {
        candidates.add(m);
      }
    }
    int surplus = Math.min(capacity - desired, candidates.size());
    List<ManagedInstance> chosen = scaleInOrder(candidates, surplus);
    for (int i = 0; i < surplus; i++) {
      int from = capacity - i;
      String cause = causePrefix() + "At " + state.now() + " an instance was taken out of service in response to a"
          + " difference between desired and actual capacity, shrinking the capacity from " + from + " to "
          + (from - 1) + ".";
      state.terminator.terminate(chosen.get(i), cause, policyEpisode);
    }
  }

  /**
   * The first {@code count} instances a scale-in terminates, in order: unhealthy ones first, then (Auto Scaling's
   * default) one from the zone with the most instances in capacity (recounted after each pick), then by the
   * termination policy (oldest first by default). Without zones this is unhealthy first, then the policy.
   */
  private List<ManagedInstance> scaleInOrder(List<ManagedInstance> candidates, int count) {
    Comparator<ManagedInstance> byAge = Comparator.comparing((ManagedInstance m) -> m.launchTime);
    if (state.config.terminationPolicy() == TerminationPolicy.NEWEST_INSTANCE) {
      byAge = byAge.reversed();
    }
    Map<String, Integer> perZone = new HashMap<>();
    for (ManagedInstance m : state.instances.values()) {
      if (m.state.countsAsCapacity() && m.zone != null) {
        perZone.merge(m.zone, 1, Integer::sum);
      }
    }
    List<ManagedInstance> left = new ArrayList<>(candidates);
    List<ManagedInstance> out = new ArrayList<>(count);
    Comparator<ManagedInstance> policy = Comparator.comparing((ManagedInstance m) -> m.healthy)
        .thenComparing(Comparator.comparing((ManagedInstance m) -> m.zone == null ? 0
            : perZone.getOrDefault(m.zone, 0)).reversed())
        .thenComparing(byAge);
    for (int i = 0; i < count; i++) {
      ManagedInstance next = left.stream().min(policy).orElseThrow();
      left.remove(next);
      out.add(next);
      if (next.zone != null) {
        perZone.merge(next.zone, -1, Integer::sum);
      }
    }
    return out;
  }

  private boolean allSettled() {
    for (ManagedInstance m : state.instances.values()) {
      if (m.state != InstanceState.IN_SERVICE) {
        return false;
      }
    }
    return true;
  }

  private String causePrefix() {
    return desiredCause == null ? "" : desiredCause + " ";
  }

  /** Whether the activities now starting come from a policy's change of the desired capacity. */
  boolean policyEpisode() {
    return policyEpisode;
  }

  /** Sets the desired capacity (already validated), remembers why, tells the listeners and reconciles. */
  void changeDesired(int desired, String why, boolean byPolicy) {
    int before = state.desiredCapacity;
    if (before == desired) {
      return;
    }
    state.desiredCapacity = desired;
    desiredCause = "At " + state.now() + " " + why + " from " + before + " to " + desired + ".";
    policyEpisode = byPolicy;
    String cause = desiredCause;
    state.fire(l -> l.onDesiredCapacityChanged(before, desired, cause));
    request();
  }
}
