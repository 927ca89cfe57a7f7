package dev.loadstar.scaling.internal;

import dev.loadstar.core.RegisteredTarget;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.scaling.InstanceState;
import dev.loadstar.scaling.ScalingPolicy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Evaluates the scaling policies every {@code monitoringInterval}: samples each policy's metric over the warmed-up
 * in-service instances, lets each {@link PolicyVoter} vote and changes the desired capacity by their combined vote,
 * except while a policy-driven activity runs and for {@code defaultCooldown} after the last one ended. Confined to
 * the group's context.
 */
final class PolicyEvaluator {

  private final GroupState state;
  private final List<PolicyVoter> voters = new ArrayList<>();
  /** The last request count seen per target group and instance ({@code group/instance}). */
  private final Map<String, Long> requestBaselines = new HashMap<>();
  private int activitiesInProgress;
  private long cooldownUntilNanos;
  private long timer = -1;

  PolicyEvaluator(GroupState state) {
    this.state = state;
    this.cooldownUntilNanos = state.time.nanoTime();
    for (ScalingPolicy p : state.config.policies()) {
      voters.add(new PolicyVoter(p));
    }
  }

  /** A policy-driven activity started: policies wait until it ends. */
  void activityStarted() {
    activitiesInProgress++;
  }

  /** A policy-driven activity ended: policies wait for the cooldown from now. */
  void activityEnded() {
    activitiesInProgress--;
    long until = state.time.nanoTime() + state.config.defaultCooldown().toNanos();
    cooldownUntilNanos = Math.max(cooldownUntilNanos, until);
  }

  /** Arms the next evaluation (none without policies). */
  void schedule() {
    if (state.closed || voters.isEmpty()) {
      return;
    }
    timer = state.time.setTimer(state.config.monitoringInterval().toMillis(), () -> {
      timer = -1;
      evaluate();
      schedule();
    });
  }

  private void evaluate() {
    if (state.closed || !state.started) {
      return;
    }
    long now = state.time.nanoTime();
    long warmup = state.config.defaultInstanceWarmup().toNanos();
    int desired = state.desiredCapacity;
    List<ManagedInstance> warmed = new ArrayList<>();
    int warming = state.launcher.inFlight();
    for (ManagedInstance m : state.instances.values()) {
      if (m.state == InstanceState.IN_SERVICE && now - m.inServiceNanos >= warmup) {
        warmed.add(m);
      } else if (m.state.countsAsCapacity()) {
        warming++;
      }
    }
    PolicyVoter.Vote[] votes = new PolicyVoter.Vote[voters.size()];
    StringBuilder metrics = new StringBuilder();
    for (int i = 0; i < voters.size(); i++) {
      PolicyVoter voter = voters.get(i);
      ScalingPolicy p = voter.policy();
      int[] counted = new int[1];
      double value = sample(p, warmed, counted);
      int unmeasured = warming + (warmed.size() - counted[0]);
      votes[i] = voter.vote(value, counted[0], unmeasured, desired);
      metrics.append(i == 0 ? "" : "; ").append(p.name()).append(": ")
          .append(p.predefinedMetric() != null ? p.predefinedMetric().apiName() : p.metricName()).append(" = ")
          .append(String.format(Locale.ROOT, "%.2f", value));
    }
    if (activitiesInProgress > 0 || now - cooldownUntilNanos < 0) {
      return;
    }
    int next = PolicyVoter.combine(votes, desired, state.minSize, state.maxSize, warming > 0);
    if (next != desired) {
      StringBuilder names = new StringBuilder();
      for (int i = 0; i < votes.length; i++) {
        PolicyVoter.Kind k = votes[i].kind();
        if ((next > desired && k == PolicyVoter.Kind.OUT) || (next < desired && k == PolicyVoter.Kind.IN)) {
          names.append(names.length() == 0 ? "" : ", ").append(voters.get(i).policy().name());
        }
      }
      state.reconciler.changeDesired(next, "policy " + names + " (" + metrics + ") changed the desired capacity",
          true);
      for (PolicyVoter v : voters) {
        v.reset();
      }
    }
  }

  /** Samples a policy's metric; {@code counted[0]} receives how many instances the average was taken over. */
  private double sample(ScalingPolicy p, List<ManagedInstance> warmed, int[] counted) {
    if (p.predefinedMetric() == null) {
      counted[0] = warmed.size();
      try {
        return p.metric().getAsDouble();
      } catch (RuntimeException e) {
        GroupState.LOG.log(System.Logger.Level.WARNING, "scaling group " + state.name() + ": metric "
            + p.metricName() + " failed", e);
        return Double.NaN;
      }
    }
    TargetGroup g = state.groups.get(p.targetGroupName());
    if (g == null) {
      return Double.NaN;
    }
    boolean requests = p.predefinedMetric() == ScalingPolicy.PredefinedMetric.ALB_REQUEST_COUNT_PER_TARGET;
    double sum = 0;
    int n = 0;
    Set<String> seen = new HashSet<>();
    for (ManagedInstance m : state.instances.values()) {
      if (m.state != InstanceState.IN_SERVICE) {
        continue;
      }
      RegisteredTarget t = g.target(m.id);
      if (t == null || !t.isActive()) {
        continue;
      }
      String key = g.name() + "/" + m.id;
      seen.add(key);
      long count = t.requestCount();
      Long base = requestBaselines.put(key, count);
      if (!warmed.contains(m)) {
        continue;
      }
      if (requests) {
        if (base == null) {
          continue;
        }
        sum += count - base;
      } else {
        sum += t.inFlight();
      }
      n++;
    }
    requestBaselines.keySet().removeIf(k -> k.startsWith(g.name() + "/") && !seen.contains(k));
    counted[0] = n;
    return n == 0 ? Double.NaN : sum / n;
  }

  /** Cancels the evaluation timer. */
  void close() {
    if (timer >= 0) {
      state.time.cancelTimer(timer);
      timer = -1;
    }
  }
}
