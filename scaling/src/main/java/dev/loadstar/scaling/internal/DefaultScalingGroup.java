package dev.loadstar.scaling.internal;

import dev.loadstar.core.HealthChangeEvent;
import dev.loadstar.core.RegisteredTarget;
import dev.loadstar.core.Target;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetGroupListener;
import dev.loadstar.core.TargetHealth;
import dev.loadstar.core.config.Checks;
import dev.loadstar.core.time.TimeSource;
import dev.loadstar.scaling.HealthCheckType;
import dev.loadstar.scaling.Instance;
import dev.loadstar.scaling.InstanceState;
import dev.loadstar.scaling.LifecycleActionContext;
import dev.loadstar.scaling.LifecycleHook;
import dev.loadstar.scaling.ScalingActivity;
import dev.loadstar.scaling.ScalingActivityStatus;
import dev.loadstar.scaling.ScalingGroup;
import dev.loadstar.scaling.ScalingGroupConfig;
import dev.loadstar.scaling.ScalingGroupListener;
import dev.loadstar.scaling.ScalingPolicy;
import dev.loadstar.scaling.TerminationPolicy;
import dev.loadstar.scaling.spi.InstanceProvider;
import dev.loadstar.scaling.spi.ProviderInstance;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The scaling group. All mutable state is confined to one Vert.x context; readers see volatile snapshots.
 */
public final class DefaultScalingGroup implements ScalingGroup {

  private static final System.Logger LOG = System.getLogger(DefaultScalingGroup.class.getName());
  private static final int HISTORY = 1000;
  /** Target metadata key naming the scaling group an instance belongs to. */
  public static final String GROUP_METADATA = "loadstar.scaling.group";

  private final Vertx vertx;
  private final Context ctx;
  private final ScalingGroupConfig config;
  /** The clock set in the configuration, or null: times are then read from {@link #time}. */
  private final Clock clock;
  private final TimeSource time;
  private final CopyOnWriteArrayList<ScalingGroupListener> listeners = new CopyOnWriteArrayList<>();

  // Confined to ctx.
  private InstanceProvider provider;
  private boolean ownsProvider;
  private final LinkedHashMap<String, Managed> instances = new LinkedHashMap<>();
  /** Launches in flight per zone (counted by {@link #nextZone()} so a burst of launches spreads). */
  private final Map<String, Integer> launchingByZone = new HashMap<>();
  private final LinkedHashMap<String, TargetGroup> groups = new LinkedHashMap<>();
  private final Map<String, Runnable> groupListenerHandles = new HashMap<>();
  private final List<PolicyVoter> voters = new ArrayList<>();
  private final Map<String, Long> requestBaselines = new HashMap<>();
  private int launching;
  private int consecutiveLaunchFailures;
  private long backoffUntilNanos;
  private long backoffTimer = -1;
  private long healthTimer = -1;
  private long monitorTimer = -1;
  private boolean healthCheckRunning;
  private boolean reconcileScheduled;
  private boolean started;
  private boolean starting;
  private boolean closed;
  private String desiredCause;
  private boolean policyEpisode;
  private int policyActivitiesInProgress;
  private long cooldownUntilNanos;

  // Published.
  private volatile int minSize;
  private volatile int desiredCapacity;
  private volatile int maxSize;
  private volatile HealthCheckType healthCheckType;
  private volatile List<Instance> instanceView = List.of();
  private volatile List<TargetGroup> groupView = List.of();
  private final LinkedHashMap<String, ScalingActivity> activityLog = new LinkedHashMap<>();

  /** A group on {@code vertx.getOrCreateContext()} whose timers and times come from {@code time}. */
  public DefaultScalingGroup(Vertx vertx, ScalingGroupConfig config, TimeSource time) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.time = Objects.requireNonNull(time, "time");
    this.config = Objects.requireNonNull(config, "config");
    this.ctx = vertx.getOrCreateContext();
    this.clock = config.clock();
    this.minSize = config.minSize();
    this.desiredCapacity = config.desiredCapacity();
    this.maxSize = config.maxSize();
    this.healthCheckType = config.healthCheckType();
    this.backoffUntilNanos = time.nanoTime();
    this.cooldownUntilNanos = backoffUntilNanos;
    for (ScalingPolicy p : config.policies()) {
      voters.add(new PolicyVoter(p));
    }
  }

  /** An instance as the group tracks it. */
  private static final class Managed {
    final String id;
    final ProviderInstance provided;
    final Instant launchTime;
    final long knownSinceNanos;
    /** Null until the group first sets it (a new or adopted instance). */
    InstanceState state;
    boolean healthy = true;
    String unhealthyCause;
    boolean replaceAtOnce;
    long inServiceNanos = -1;
    boolean protectedFromScaleIn;
    final Set<String> registeredIn = new HashSet<>();

    /** The availability zone: the provider's report, else the zone the launch asked for (null without zones). */
    final String zone;

    Managed(ProviderInstance provided, long nowNanos, String requestedZone) {
      this.id = provided.id();
      this.provided = provided;
      this.launchTime = provided.launchTime();
      this.knownSinceNanos = nowNanos;
      this.zone = provided.zone() != null ? provided.zone() : requestedZone;
    }

    Instance view() {
      return new Instance(id, provided.host(), provided.port(), state, healthy, launchTime, protectedFromScaleIn,
          zone);
    }
  }

  /** An activity being recorded. */
  private final class Act {
    final String id = UUID.randomUUID().toString();
    final ScalingActivity.Kind kind;
    final Instant start;
    final boolean policyDriven;
    String instanceId;
    String description;
    final String cause;
    ScalingActivityStatus status;
    String message;
    Instant end;

    Act(ScalingActivity.Kind kind, String instanceId, String description, String cause, boolean policyDriven) {
      this(kind, instanceId, description, cause, policyDriven, ScalingActivityStatus.IN_PROGRESS);
    }

    Act(ScalingActivity.Kind kind, String instanceId, String description, String cause, boolean policyDriven,
        ScalingActivityStatus initial) {
      this.status = initial;
      this.kind = kind;
      this.instanceId = instanceId;
      this.description = description;
      this.cause = cause;
      this.policyDriven = policyDriven;
      this.start = now();
      if (policyDriven) {
        policyActivitiesInProgress++;
      }
      record();
    }

    void status(ScalingActivityStatus s) {
      if (status != s && !status.isDone()) {
        status = s;
        record();
      }
    }

    void finish(ScalingActivityStatus s, String msg) {
      if (status.isDone()) {
        return;
      }
      status = s;
      message = msg;
      end = now();
      if (policyDriven) {
        policyActivitiesInProgress--;
        long until = time.nanoTime() + config.defaultCooldown().toNanos();
        cooldownUntilNanos = Math.max(cooldownUntilNanos, until);
      }
      record();
    }

    void record() {
      ScalingActivity a = new ScalingActivity(id, config.name(), kind, instanceId, description, cause, status, message,
          start, end);
      synchronized (activityLog) {
        activityLog.put(id, a);
        if (activityLog.size() > HISTORY) {
          activityLog.remove(activityLog.keySet().iterator().next());
        }
      }
      fire(l -> l.onActivity(a));
    }
  }

  // ---------------------------------------------------------------- public API

  @Override
  public String name() {
    return config.name();
  }

  @Override
  public ScalingGroupConfig config() {
    return config;
  }

  @Override
  public Future<Void> start() {
    return onContext(() -> {
      if (started || starting) {
        return Future.succeededFuture();
      }
      if (closed) {
        return Future.failedFuture(new IllegalStateException("scaling group " + name() + " is closed"));
      }
      starting = true;
      Future<InstanceProvider> resolved = config.provider() != null ? Future.succeededFuture(config.provider())
          : hop(vertx.executeBlocking(() -> Providers.create(config.launchTemplate().provider(), vertx, time), false));
      return resolved.compose(p -> {
        provider = p;
        ownsProvider = config.provider() == null;
        if (closed) {
          starting = false;
          return ownsProvider ? p.close() : Future.<Void>succeededFuture();
        }
        for (TargetGroup g : config.targetGroups()) {
          attachNow(g);
        }
        long describeStart = time.nanoTime();
        return hop(safe(() -> provider.describe(name(), config.launchTemplate()))).<Void>map(found -> {
          starting = false;
          if (closed) {
            return null;
          }
          adopt(found, describeStart);
          started = true;
          scheduleHealthCheck();
          scheduleMonitoring();
          reconcile();
          return null;
        });
      });
    }).onFailure(e -> starting = false);
  }

  @Override
  public int minSize() {
    return minSize;
  }

  @Override
  public int desiredCapacity() {
    return desiredCapacity;
  }

  @Override
  public int maxSize() {
    return maxSize;
  }

  @Override
  public Future<Void> setDesiredCapacity(int desired) {
    return onContext(() -> {
      ScalingGroupConfig.checkCapacity(minSize, desired, maxSize);
      changeDesired(desired, "a user request changed the desired capacity", false);
      return Future.succeededFuture();
    });
  }

  @Override
  public Future<Void> updateCapacity(int min, int desired, int max) {
    return onContext(() -> {
      ScalingGroupConfig.checkCapacity(min, desired, max);
      minSize = min;
      maxSize = max;
      changeDesired(desired, "a user request update of the group constraints to min: " + min + ", max: " + max
          + ", desired: " + desired + " changed the desired capacity", false);
      return Future.succeededFuture();
    });
  }

  @Override
  public HealthCheckType healthCheckType() {
    return healthCheckType;
  }

  @Override
  public Future<Void> setHealthCheckType(HealthCheckType type) {
    Checks.notNull("healthCheckType", type);
    return onContext(() -> {
      healthCheckType = type;
      checkLoadBalancerHealth();
      requestReconcile();
      return Future.succeededFuture();
    });
  }

  @Override
  public Future<Void> attachTargetGroup(TargetGroup group) {
    Checks.notNull("targetGroup", group);
    return onContext(() -> {
      if (groups.size() >= ScalingGroupConfig.MAX_PER_GROUP && !groups.containsKey(group.name())) {
        throw Checks.invalid("targetGroups", groups.size() + 1, "0-" + ScalingGroupConfig.MAX_PER_GROUP);
      }
      attachNow(group);
      return Future.succeededFuture();
    });
  }

  @Override
  public Future<Void> detachTargetGroup(String targetGroupName) {
    return onContext(() -> {
      TargetGroup g = groups.remove(targetGroupName);
      if (g == null) {
        return Future.failedFuture(Checks.invalid("targetGroupName", "\"" + targetGroupName + "\"",
            "a target group attached to " + name()));
      }
      groupView = List.copyOf(groups.values());
      Runnable handle = groupListenerHandles.remove(targetGroupName);
      if (handle != null) {
        handle.run();
      }
      List<Future<Void>> drains = new ArrayList<>();
      for (Managed m : instances.values()) {
        if (m.registeredIn.remove(targetGroupName)) {
          drains.add(g.deregister(m.id).recover(e -> Future.succeededFuture()));
        }
      }
      return hop(Future.join(drains)).<Void>mapEmpty();
    });
  }

  @Override
  public List<TargetGroup> targetGroups() {
    return groupView;
  }

  @Override
  public List<Instance> instances() {
    return instanceView;
  }

  @Override
  public Instance instance(String instanceId) {
    for (Instance i : instanceView) {
      if (i.id().equals(instanceId)) {
        return i;
      }
    }
    return null;
  }

  @Override
  public List<ScalingActivity> activities() {
    synchronized (activityLog) {
      return List.copyOf(activityLog.values());
    }
  }

  @Override
  public Future<Void> setInstanceProtection(String instanceId, boolean protectedFromScaleIn) {
    return onContext(() -> {
      Managed m = member(instanceId);
      m.protectedFromScaleIn = protectedFromScaleIn;
      publish();
      return Future.succeededFuture();
    });
  }

  @Override
  public Future<Void> setInstanceHealth(String instanceId, boolean healthy) {
    return onContext(() -> {
      Managed m = member(instanceId);
      if (!healthy) {
        markUnhealthy(m, "At " + now() + " an instance was taken out of service in response to a user health-check.",
            true);
      } else if (m.state.countsAsCapacity()) {
        m.healthy = true;
        m.unhealthyCause = null;
        publish();
      }
      return Future.succeededFuture();
    });
  }

  @Override
  public Future<Void> terminateInstance(String instanceId, boolean decrementDesiredCapacity) {
    return onContext(() -> {
      Managed m = member(instanceId);
      if (!m.state.countsAsCapacity()) {
        throw Checks.invalid("instanceId", instanceId, "an instance of " + name() + " that is not terminating");
      }
      String cause = "At " + now() + " instance " + instanceId + " was taken out of service in response to a user"
          + " request";
      if (decrementDesiredCapacity) {
        ScalingGroupConfig.checkCapacity(minSize, desiredCapacity - 1, maxSize);
        int before = desiredCapacity;
        desiredCapacity = before - 1;
        fire(l -> l.onDesiredCapacityChanged(before, before - 1, "a user request terminated " + instanceId));
        cause += ", shrinking the capacity from " + before + " to " + (before - 1) + ".";
      } else {
        cause += ".";
      }
      Future<Void> done = terminate(m, cause, false);
      requestReconcile();
      return done;
    });
  }

  @Override
  public Runnable addListener(ScalingGroupListener listener) {
    Objects.requireNonNull(listener, "listener");
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  @Override
  public Future<Void> close() {
    return onContext(() -> {
      if (closed) {
        return Future.succeededFuture();
      }
      closed = true;
      for (long t : new long[] {healthTimer, monitorTimer, backoffTimer}) {
        if (t >= 0) {
          time.cancelTimer(t);
        }
      }
      healthTimer = monitorTimer = backoffTimer = -1;
      groupListenerHandles.values().forEach(Runnable::run);
      groupListenerHandles.clear();
      if (ownsProvider && provider != null) {
        return provider.close();
      }
      return Future.succeededFuture();
    });
  }

  @Override
  public String toString() {
    return "ScalingGroup{" + name() + " min=" + minSize + " desired=" + desiredCapacity + " max=" + maxSize + " "
        + instanceView.size() + " instances}";
  }

  // ---------------------------------------------------------------- reconciliation

  private void adopt(List<ProviderInstance> found, long describeStart) {
    for (ProviderInstance pi : found) {
      if (instances.containsKey(pi.id())) {
        continue;
      }
      Managed m = new Managed(pi, describeStart, null);
      instances.put(m.id, m);
      if (pi.state() == ProviderInstance.State.RUNNING || pi.state() == ProviderInstance.State.PENDING) {
        m.protectedFromScaleIn = config.newInstancesProtectedFromScaleIn();
        registerEverywhere(m);
        m.inServiceNanos = time.nanoTime();
        setState(m, InstanceState.IN_SERVICE);
      } else {
        terminate(m, "At " + now() + " an instance found in state " + pi.state() + " when the group started was"
            + " taken out of service.", false);
      }
    }
    publish();
  }

  private void requestReconcile() {
    if (!reconcileScheduled) {
      reconcileScheduled = true;
      ctx.runOnContext(v -> {
        reconcileScheduled = false;
        reconcile();
      });
    }
  }

  /** Moves the group towards its desired capacity: replaces unhealthy instances, launches, terminates. */
  private void reconcile() {
    if (!started || closed) {
      return;
    }
    int desired = desiredCapacity;
    // 1. Unhealthy instances: at most 10 % of desired (at least 1) being replaced at a time (terminations of
    //    unhealthy instances and launches in flight both count); non-running ones at once.
    int limit = Math.max(1, desired / 10);
    int replacing = launching;
    for (Managed m : instances.values()) {
      if (!m.healthy && !m.state.countsAsCapacity() && m.state != InstanceState.TERMINATED) {
        replacing++;
      }
    }
    for (Managed m : new ArrayList<>(instances.values())) {
      if (!m.healthy && m.state == InstanceState.IN_SERVICE && (m.replaceAtOnce || replacing < limit)) {
        replacing++;
        terminate(m, m.unhealthyCause, false);
      }
    }
    // 2. Capacity.
    int capacity = capacity();
    if (capacity < desired) {
      long now = time.nanoTime();
      if (now - backoffUntilNanos < 0) {
        armBackoffTimer(backoffUntilNanos - now);
      } else {
        for (int c = capacity; c < desired; c++) {
          String cause = causePrefix() + "At " + now() + " an instance was started in response to a difference"
              + " between desired and actual capacity, increasing the capacity from " + c + " to " + desired + ".";
          launch(cause);
        }
      }
    } else if (capacity > desired) {
      List<Managed> candidates = new ArrayList<>();
      for (Managed m : instances.values()) {
        if (m.state == InstanceState.IN_SERVICE && !m.protectedFromScaleIn) {
          candidates.add(m);
        }
      }
      int surplus = Math.min(capacity - desired, candidates.size());
      List<Managed> chosen = scaleInOrder(candidates, surplus);
      for (int i = 0; i < surplus; i++) {
        int from = capacity - i;
        String cause = causePrefix() + "At " + now() + " an instance was taken out of service in response to a"
            + " difference between desired and actual capacity, shrinking the capacity from " + from + " to "
            + (from - 1) + ".";
        terminate(chosen.get(i), cause, policyEpisode);
      }
    } else if (launching == 0 && allSettled()) {
      desiredCause = null;
      policyEpisode = false;
    }
    publish();
  }

  /**
   * The first {@code count} instances a scale-in terminates, in order: unhealthy ones first, then (Auto Scaling's
   * default) one from the zone with the most instances in capacity (recounted after each pick), then by the
   * termination policy (oldest first by default). Without zones this is unhealthy first, then the policy.
   */
  private List<Managed> scaleInOrder(List<Managed> candidates, int count) {
    Comparator<Managed> byAge = Comparator.comparing((Managed m) -> m.launchTime);
    if (config.terminationPolicy() == TerminationPolicy.NEWEST_INSTANCE) {
      byAge = byAge.reversed();
    }
    Map<String, Integer> perZone = new HashMap<>();
    for (Managed m : instances.values()) {
      if (m.state.countsAsCapacity() && m.zone != null) {
        perZone.merge(m.zone, 1, Integer::sum);
      }
    }
    List<Managed> left = new ArrayList<>(candidates);
    List<Managed> out = new ArrayList<>(count);
    Comparator<Managed> policy = Comparator.comparing((Managed m) -> m.healthy)
        .thenComparing(Comparator.comparing((Managed m) -> m.zone == null ? 0 : perZone.getOrDefault(m.zone, 0))
            .reversed())
        .thenComparing(byAge);
    for (int i = 0; i < count; i++) {
      Managed next = left.stream().min(policy).orElseThrow();
      left.remove(next);
      out.add(next);
      if (next.zone != null) {
        perZone.merge(next.zone, -1, Integer::sum);
      }
    }
    return out;
  }

  /**
   * The zone a new instance goes to: the provider's zone with the fewest instances in capacity or being launched,
   * the first such in the provider's order; null when the provider has no zones.
   */
  private String nextZone() {
    List<String> zones = provider.zones();
    if (zones == null || zones.isEmpty()) {
      return null;
    }
    Map<String, Integer> perZone = new HashMap<>(launchingByZone);
    for (Managed m : instances.values()) {
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

  private boolean allSettled() {
    for (Managed m : instances.values()) {
      if (m.state != InstanceState.IN_SERVICE) {
        return false;
      }
    }
    return true;
  }

  private String causePrefix() {
    return desiredCause == null ? "" : desiredCause + " ";
  }

  private int capacity() {
    int n = launching;
    for (Managed m : instances.values()) {
      if (m.state.countsAsCapacity()) {
        n++;
      }
    }
    return n;
  }

  private void changeDesired(int desired, String why, boolean byPolicy) {
    int before = desiredCapacity;
    if (before == desired) {
      return;
    }
    desiredCapacity = desired;
    desiredCause = "At " + now() + " " + why + " from " + before + " to " + desired + ".";
    policyEpisode = byPolicy;
    String cause = desiredCause;
    fire(l -> l.onDesiredCapacityChanged(before, desired, cause));
    requestReconcile();
  }

  // ---------------------------------------------------------------- launch

  private void launch(String cause) {
    String zone = nextZone();
    launching++;
    if (zone != null) {
      launchingByZone.merge(zone, 1, Integer::sum);
    }
    Act act = new Act(ScalingActivity.Kind.LAUNCH, null, "Launching a new instance"
        + (zone == null ? "" : " in " + zone), cause, policyEpisode, ScalingActivityStatus.WAITING_FOR_INSTANCE_ID);
    hop(safe(() -> zone == null ? provider.launch(name(), config.launchTemplate())
        : provider.launch(name(), config.launchTemplate(), zone))).onComplete(ar -> {
      launching--;
      if (zone != null) {
        launchingByZone.merge(zone, -1, Integer::sum);
      }
      if (ar.failed()) {
        act.finish(ScalingActivityStatus.FAILED, "Launching a new instance failed: " + describe(ar.cause()));
        launchFailed();
        return;
      }
      ProviderInstance pi = ar.result();
      if (closed) {
        act.instanceId = pi.id();
        act.finish(ScalingActivityStatus.CANCELLED, "The group was closed during the launch; instance " + pi.id()
            + " is left running (a group of the same name adopts it on start).");
        return;
      }
      Managed m = new Managed(pi, time.nanoTime(), zone);
      m.protectedFromScaleIn = config.newInstancesProtectedFromScaleIn();
      instances.put(m.id, m);
      act.instanceId = m.id;
      act.description = "Launching a new instance: " + m.id + (m.zone == null ? "" : " in " + m.zone);
      act.status(ScalingActivityStatus.IN_PROGRESS);
      setState(m, InstanceState.PENDING);
      runHooks(m, LifecycleHook.Transition.LAUNCHING, act).onComplete(hr -> {
        if (hr.result() == LifecycleHook.Result.ABANDON) {
          act.finish(ScalingActivityStatus.FAILED, "Instance failed to complete user's Lifecycle Action: the"
              + " launching lifecycle action was abandoned (result ABANDON).");
          terminateQuietly(m);
          launchFailed();
          return;
        }
        consecutiveLaunchFailures = 0;
        registerEverywhere(m);
        m.inServiceNanos = time.nanoTime();
        // The activity ends first: whoever sees the instance InService sees its launch done.
        act.finish(ScalingActivityStatus.SUCCESSFUL, null);
        setState(m, InstanceState.IN_SERVICE);
        requestReconcile();
      });
    });
  }

  private void launchFailed() {
    consecutiveLaunchFailures++;
    long initial = config.launchBackoffInitial().toNanos();
    long max = config.launchBackoffMax().toNanos();
    long delay = initial;
    for (int i = 1; i < consecutiveLaunchFailures && delay < max; i++) {
      delay = delay * 2;
    }
    delay = Math.min(delay, max);
    backoffUntilNanos = time.nanoTime() + delay;
    armBackoffTimer(delay);
  }

  private void armBackoffTimer(long delayNanos) {
    if (closed) {
      return;
    }
    if (backoffTimer >= 0) {
      time.cancelTimer(backoffTimer);
    }
    long ms = Math.max(1, (delayNanos + 999_999) / 1_000_000);
    backoffTimer = time.setTimer(ms, () -> {
      backoffTimer = -1;
      reconcile();
    });
  }

  private void registerEverywhere(Managed m) {
    Target target = target(m);
    for (TargetGroup g : groups.values()) {
      try {
        g.register(target);
        m.registeredIn.add(g.name());
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "scaling group " + name() + ": cannot register " + m.id + " with "
            + g.name(), e);
      }
    }
  }

  private Target target(Managed m) {
    return Target.builder(m.id, m.provided.host(), m.provided.port()).zone(m.zone).metadata(m.provided.metadata())
        .metadata(GROUP_METADATA, name()).build();
  }

  // ---------------------------------------------------------------- terminate

  private Future<Void> terminate(Managed m, String cause, boolean policyDriven) {
    setState(m, InstanceState.TERMINATING);
    Act act = new Act(ScalingActivity.Kind.TERMINATE, m.id, "Terminating instance: " + m.id, cause, policyDriven);
    List<Future<Void>> drains = new ArrayList<>();
    for (String groupName : m.registeredIn) {
      TargetGroup g = groups.get(groupName);
      if (g != null) {
        drains.add(g.deregister(m.id).recover(e -> Future.succeededFuture()));
      }
    }
    m.registeredIn.clear();
    if (!drains.isEmpty()) {
      act.status(ScalingActivityStatus.WAITING_FOR_ELB_CONNECTION_DRAINING);
    }
    requestReconcile();
    return hop(Future.join(drains))
        .transform(v -> runHooks(m, LifecycleHook.Transition.TERMINATING, act))
        .transform(v -> {
          act.status(ScalingActivityStatus.IN_PROGRESS);
          return providerTerminate(m, act);
        });
  }

  private Future<Void> providerTerminate(Managed m, Act act) {
    return hop(safe(() -> provider.terminate(m.id))).transform(ar -> {
      if (ar.succeeded()) {
        // The activity ends first: whoever sees the instance gone sees its termination done.
        act.finish(ScalingActivityStatus.SUCCESSFUL, null);
        setState(m, InstanceState.TERMINATED);
        instances.remove(m.id);
        requestReconcile();
        return Future.succeededFuture();
      }
      act.finish(ScalingActivityStatus.FAILED, "Terminating the instance failed: " + describe(ar.cause()));
      if (closed) {
        return Future.failedFuture(ar.cause());
      }
      Promise<Void> retried = Promise.promise();
      time.setTimer(config.launchBackoffInitial().toMillis(), () -> {
        Act again = new Act(ScalingActivity.Kind.TERMINATE, m.id, "Terminating instance: " + m.id,
            "At " + now() + " the termination of instance " + m.id + " was retried after a failure.", false);
        providerTerminate(m, again).onComplete(retried);
      });
      return retried.future();
    });
  }

  /** Terminates an instance that was never put in service (abandoned launch): no draining, no hooks. */
  private void terminateQuietly(Managed m) {
    setState(m, InstanceState.TERMINATING);
    hop(safe(() -> provider.terminate(m.id))).onComplete(ar -> {
      if (ar.failed()) {
        LOG.log(System.Logger.Level.WARNING, "scaling group " + name() + ": cannot terminate " + m.id, ar.cause());
      }
      setState(m, InstanceState.TERMINATED);
      instances.remove(m.id);
      requestReconcile();
    });
  }

  // ---------------------------------------------------------------- lifecycle hooks

  private Future<LifecycleHook.Result> runHooks(Managed m, LifecycleHook.Transition transition, Act act) {
    List<LifecycleHook> hooks = new ArrayList<>();
    for (LifecycleHook h : config.lifecycleHooks()) {
      if (h.transition() == transition) {
        hooks.add(h);
      }
    }
    if (hooks.isEmpty()) {
      return Future.succeededFuture(LifecycleHook.Result.CONTINUE);
    }
    setState(m, transition == LifecycleHook.Transition.LAUNCHING ? InstanceState.PENDING_WAIT
        : InstanceState.TERMINATING_WAIT);
    act.status(ScalingActivityStatus.MID_LIFECYCLE_ACTION);
    Future<LifecycleHook.Result> chain = Future.succeededFuture(LifecycleHook.Result.CONTINUE);
    for (LifecycleHook hook : hooks) {
      chain = chain.compose(r -> {
        if (r == LifecycleHook.Result.ABANDON && transition == LifecycleHook.Transition.LAUNCHING) {
          return Future.succeededFuture(r);
        }
        return runHook(m, hook, transition).map(r2 -> r == LifecycleHook.Result.ABANDON ? r : r2);
      });
    }
    return chain;
  }

  private Future<LifecycleHook.Result> runHook(Managed m, LifecycleHook hook, LifecycleHook.Transition transition) {
    Promise<LifecycleHook.Result> result = Promise.promise();
    long timeoutMs = Math.max(1, hook.heartbeatTimeout().toMillis());
    long[] timer = {-1};
    Runnable arm = () -> {
      if (timer[0] >= 0) {
        time.cancelTimer(timer[0]);
      }
      timer[0] = time.setTimer(timeoutMs, () -> result.tryComplete(hook.defaultResult()));
    };
    arm.run();
    Instance snapshot = m.view();
    LifecycleActionContext context = new LifecycleActionContext() {
      @Override
      public String groupName() {
        return name();
      }

      @Override
      public String hookName() {
        return hook.name();
      }

      @Override
      public LifecycleHook.Transition transition() {
        return transition;
      }

      @Override
      public Instance instance() {
        return snapshot;
      }

      @Override
      public void recordHeartbeat() {
        ctx.runOnContext(v -> {
          if (!result.future().isComplete()) {
            arm.run();
          }
        });
      }
    };
    hop(safe(() -> hook.handler().handle(context))).onComplete(ar -> result.tryComplete(
        ar.succeeded() && ar.result() != null ? ar.result() : hook.defaultResult()));
    return result.future().andThen(ar -> time.cancelTimer(timer[0]));
  }

  // ---------------------------------------------------------------- health

  private void scheduleHealthCheck() {
    if (closed) {
      return;
    }
    healthTimer = time.setTimer(config.healthCheckInterval().toMillis(), () -> {
      healthTimer = -1;
      runHealthCheck().onComplete(v -> scheduleHealthCheck());
    });
  }

  private Future<Void> runHealthCheck() {
    if (closed || healthCheckRunning) {
      return Future.succeededFuture();
    }
    healthCheckRunning = true;
    long describeStart = time.nanoTime();
    return hop(safe(() -> provider.describe(name(), config.launchTemplate()))).transform(ar -> {
      healthCheckRunning = false;
      if (closed) {
        return Future.succeededFuture();
      }
      if (ar.failed()) {
        LOG.log(System.Logger.Level.WARNING, "scaling group " + name() + ": describe failed", ar.cause());
      } else {
        Map<String, ProviderInstance> byId = new HashMap<>();
        for (ProviderInstance pi : ar.result()) {
          byId.put(pi.id(), pi);
        }
        for (Managed m : new ArrayList<>(instances.values())) {
          if (m.state != InstanceState.IN_SERVICE || !m.healthy || m.knownSinceNanos - describeStart > 0) {
            continue;
          }
          ProviderInstance pi = byId.get(m.id);
          if (pi == null || pi.state() == ProviderInstance.State.STOPPED
              || pi.state() == ProviderInstance.State.TERMINATED) {
            String state = pi == null ? "not found" : pi.state().name().toLowerCase();
            markUnhealthy(m, "At " + now() + " an instance was taken out of service in response to an instance status"
                + " check failure (the provider reports the instance " + state + ").", true);
          }
        }
      }
      checkLoadBalancerHealth();
      reconcile();
      return Future.succeededFuture();
    });
  }

  private void checkLoadBalancerHealth() {
    if (healthCheckType != HealthCheckType.LOAD_BALANCER || closed) {
      return;
    }
    long now = time.nanoTime();
    long grace = config.healthCheckGracePeriod().toNanos();
    for (Managed m : new ArrayList<>(instances.values())) {
      if (m.state != InstanceState.IN_SERVICE || !m.healthy || now - m.inServiceNanos < grace) {
        continue;
      }
      for (TargetGroup g : groups.values()) {
        RegisteredTarget t = g.target(m.id);
        if (t != null && t.health().state() == TargetHealth.State.UNHEALTHY) {
          markUnhealthy(m, "At " + now() + " an instance was taken out of service in response to an ELB health check"
              + " failure (target group " + g.name() + ": " + t.health() + ").", false);
          break;
        }
      }
    }
  }

  private void markUnhealthy(Managed m, String cause, boolean atOnce) {
    if (!m.healthy) {
      m.replaceAtOnce |= atOnce;
      requestReconcile();
      return;
    }
    m.healthy = false;
    m.unhealthyCause = cause;
    m.replaceAtOnce = atOnce;
    publish();
    Instance view = m.view();
    fire(l -> l.onInstanceUnhealthy(view, cause));
    requestReconcile();
  }

  private void attachNow(TargetGroup g) {
    if (groups.containsKey(g.name())) {
      return;
    }
    groups.put(g.name(), g);
    groupView = List.copyOf(groups.values());
    Runnable handle = g.addListener(new TargetGroupListener() {
      @Override
      public void onHealthChanged(HealthChangeEvent event) {
        if (event.current().state() == TargetHealth.State.UNHEALTHY) {
          ctx.runOnContext(v -> {
            checkLoadBalancerHealth();
            reconcile();
          });
        }
      }
    });
    groupListenerHandles.put(g.name(), handle);
    for (Managed m : instances.values()) {
      if (m.state == InstanceState.IN_SERVICE) {
        try {
          g.register(target(m));
          m.registeredIn.add(g.name());
        } catch (RuntimeException e) {
          LOG.log(System.Logger.Level.WARNING, "scaling group " + name() + ": cannot register " + m.id, e);
        }
      }
    }
  }

  // ---------------------------------------------------------------- policies

  private void scheduleMonitoring() {
    if (closed || voters.isEmpty()) {
      return;
    }
    monitorTimer = time.setTimer(config.monitoringInterval().toMillis(), () -> {
      monitorTimer = -1;
      evaluatePolicies();
      scheduleMonitoring();
    });
  }

  private void evaluatePolicies() {
    if (closed || !started) {
      return;
    }
    long now = time.nanoTime();
    long warmup = config.defaultInstanceWarmup().toNanos();
    int desired = desiredCapacity;
    List<Managed> warmed = new ArrayList<>();
    int warming = launching;
    for (Managed m : instances.values()) {
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
          .append(String.format(java.util.Locale.ROOT, "%.2f", value));
    }
    if (policyActivitiesInProgress > 0 || now - cooldownUntilNanos < 0) {
      return;
    }
    int next = PolicyVoter.combine(votes, desired, minSize, maxSize, warming > 0);
    if (next != desired) {
      String names = "";
      for (int i = 0; i < votes.length; i++) {
        PolicyVoter.Kind k = votes[i].kind();
        if ((next > desired && k == PolicyVoter.Kind.OUT) || (next < desired && k == PolicyVoter.Kind.IN)) {
          names += (names.isEmpty() ? "" : ", ") + voters.get(i).policy().name();
        }
      }
      changeDesired(next, "policy " + names + " (" + metrics + ") changed the desired capacity", true);
      for (PolicyVoter v : voters) {
        v.reset();
      }
    }
  }

  /** Samples a policy's metric; {@code counted[0]} receives how many instances the average was taken over. */
  private double sample(ScalingPolicy p, List<Managed> warmed, int[] counted) {
    if (p.predefinedMetric() == null) {
      counted[0] = warmed.size();
      try {
        return p.metric().getAsDouble();
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "scaling group " + name() + ": metric " + p.metricName() + " failed", e);
        return Double.NaN;
      }
    }
    TargetGroup g = groups.get(p.targetGroupName());
    if (g == null) {
      return Double.NaN;
    }
    boolean requests = p.predefinedMetric() == ScalingPolicy.PredefinedMetric.ALB_REQUEST_COUNT_PER_TARGET;
    double sum = 0;
    int n = 0;
    Set<String> seen = new HashSet<>();
    for (Managed m : instances.values()) {
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

  // ---------------------------------------------------------------- plumbing

  private Managed member(String instanceId) {
    Managed m = instances.get(instanceId);
    if (m == null || m.state == InstanceState.TERMINATED) {
      throw Checks.invalid("instanceId", instanceId, "an instance of " + name());
    }
    return m;
  }

  private void setState(Managed m, InstanceState state) {
    InstanceState previous = m.state;
    m.state = state;
    publish();
    Instance view = m.view();
    fire(l -> l.onInstanceStateChanged(view, previous));
  }

  private void publish() {
    List<Instance> list = new ArrayList<>();
    for (Managed m : instances.values()) {
      if (m.state != InstanceState.TERMINATED) {
        list.add(m.view());
      }
    }
    list.sort(Comparator.comparing(Instance::launchTime));
    instanceView = List.copyOf(list);
  }

  private void fire(Consumer<ScalingGroupListener> call) {
    for (ScalingGroupListener l : listeners) {
      try {
        call.accept(l);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "scaling group " + name() + ": listener failed", e);
      }
    }
  }

  private Instant now() {
    return clock != null ? clock.instant().truncatedTo(ChronoUnit.MILLIS) : Instant.ofEpochMilli(time.currentTimeMillis());
  }

  private static String describe(Throwable t) {
    return t.getMessage() != null ? t.getMessage() : t.toString();
  }

  /** Calls a provider or handler method, turning a thrown exception or a null result into a failed future. */
  private static <T> Future<T> safe(Supplier<Future<T>> call) {
    try {
      Future<T> f = call.get();
      return f != null ? f : Future.failedFuture(new IllegalStateException("the call returned no future"));
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  /** The same outcome, delivered on the group's context. */
  private <T> Future<T> hop(Future<T> f) {
    Promise<T> p = Promise.promise();
    f.onComplete(ar -> {
      if (Vertx.currentContext() == ctx) {
        p.handle(ar);
      } else {
        ctx.runOnContext(v -> p.handle(ar));
      }
    });
    return p.future();
  }

  /** Runs an action on the group's context; a thrown exception fails the returned future. */
  private <T> Future<T> onContext(Supplier<Future<T>> action) {
    Promise<T> p = Promise.promise();
    ctx.runOnContext(v -> {
      try {
        action.get().onComplete(ar -> {
          if (Vertx.currentContext() == ctx) {
            p.handle(ar);
          } else {
            ctx.runOnContext(x -> p.handle(ar));
          }
        });
      } catch (RuntimeException e) {
        p.fail(e);
      }
    });
    return p.future();
  }
}
