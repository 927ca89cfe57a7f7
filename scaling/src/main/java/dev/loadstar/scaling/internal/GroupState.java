package dev.loadstar.scaling.internal;

import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.config.Checks;
import dev.loadstar.core.time.TimeSource;
import dev.loadstar.scaling.HealthCheckType;
import dev.loadstar.scaling.Instance;
import dev.loadstar.scaling.InstanceState;
import dev.loadstar.scaling.ScalingActivity;
import dev.loadstar.scaling.ScalingGroupConfig;
import dev.loadstar.scaling.ScalingGroupListener;
import dev.loadstar.scaling.spi.InstanceProvider;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The state of one scaling group and the plumbing its parts share: the context every change runs on, the time
 * source, the instances, the attached target groups, the published snapshots, the activity history and the
 * listeners. The parts ({@link Reconciler}, {@link Launcher}, {@link Terminator}, {@link HookRunner},
 * {@link HealthMonitor}, {@link PolicyEvaluator}, {@link Registrations}) reach each other through it.
 *
 * <p>Fields without {@code volatile} are confined to {@link #ctx}; readers on other threads see the volatile
 * snapshots.
 */
final class GroupState {

  static final System.Logger LOG = System.getLogger(DefaultScalingGroup.class.getName());
  /** How many activities the history keeps. */
  static final int HISTORY = 1000;

  final Vertx vertx;
  final Context ctx;
  final ScalingGroupConfig config;
  final TimeSource time;
  /** The clock set in the configuration, or null: times are then read from {@link #time}. */
  private final Clock clock;
  private final CopyOnWriteArrayList<ScalingGroupListener> listeners = new CopyOnWriteArrayList<>();
  private final LinkedHashMap<String, ScalingActivity> activityLog = new LinkedHashMap<>();

  // The parts, set once by DefaultScalingGroup.
  Reconciler reconciler;
  Launcher launcher;
  Terminator terminator;
  HookRunner hooks;
  HealthMonitor health;
  PolicyEvaluator policies;
  Registrations registrations;

  // Confined to ctx.
  InstanceProvider provider;
  /** Every instance the group holds, terminated ones until they are dropped, in launch order. */
  final LinkedHashMap<String, ManagedInstance> instances = new LinkedHashMap<>();
  /** The attached target groups by name. */
  final LinkedHashMap<String, TargetGroup> groups = new LinkedHashMap<>();
  boolean started;
  boolean closed;

  // Published.
  volatile int minSize;
  volatile int desiredCapacity;
  volatile int maxSize;
  volatile HealthCheckType healthCheckType;
  volatile List<Instance> instanceView = List.of();
  volatile List<TargetGroup> groupView = List.of();

  GroupState(Vertx vertx, ScalingGroupConfig config, TimeSource time) {
    this.vertx = vertx;
    this.config = config;
    this.time = time;
    this.ctx = vertx.getOrCreateContext();
    this.clock = config.clock();
    this.minSize = config.minSize();
    this.desiredCapacity = config.desiredCapacity();
    this.maxSize = config.maxSize();
    this.healthCheckType = config.healthCheckType();
  }

  String name() {
    return config.name();
  }

  /** Wall-clock time for activities and causes, in whole milliseconds. */
  Instant now() {
    return clock != null ? clock.instant().truncatedTo(ChronoUnit.MILLIS) : Instant.ofEpochMilli(time.currentTimeMillis());
  }

  // ---------------------------------------------------------------- instances

  /** The instance with this id that is not terminated, or an error naming it. */
  ManagedInstance member(String instanceId) {
    ManagedInstance m = instances.get(instanceId);
    if (m == null || m.state == InstanceState.TERMINATED) {
      throw Checks.invalid("instanceId", instanceId, "an instance of " + name());
    }
    return m;
  }

  /** Moves an instance to a state, publishes and tells the listeners. */
  void setState(ManagedInstance m, InstanceState state) {
    InstanceState previous = m.state;
    m.state = state;
    publish();
    Instance view = m.view();
    fire(l -> l.onInstanceStateChanged(view, previous));
  }

  /** Publishes the instance snapshot (terminated ones excluded, oldest launch first). */
  void publish() {
    List<Instance> list = new ArrayList<>();
    for (ManagedInstance m : instances.values()) {
      if (m.state != InstanceState.TERMINATED) {
        list.add(m.view());
      }
    }
    list.sort(Comparator.comparing(Instance::launchTime));
    instanceView = List.copyOf(list);
  }

  /** Instances that count as capacity, plus launches in flight. */
  int capacity() {
    int n = launcher.inFlight();
    for (ManagedInstance m : instances.values()) {
      if (m.state.countsAsCapacity()) {
        n++;
      }
    }
    return n;
  }

  // ---------------------------------------------------------------- activities and listeners

  /** Adds or replaces an activity in the history and tells the listeners. */
  void record(ScalingActivity a) {
    synchronized (activityLog) {
      activityLog.put(a.activityId(), a);
      if (activityLog.size() > HISTORY) {
        activityLog.remove(activityLog.keySet().iterator().next());
      }
    }
    fire(l -> l.onActivity(a));
  }

  /** The history, oldest first. */
  List<ScalingActivity> activities() {
    synchronized (activityLog) {
      return List.copyOf(activityLog.values());
    }
  }

  /** Adds a listener; returns a handle that removes it. */
  Runnable addListener(ScalingGroupListener listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  /** Calls every listener; a failing listener is logged, the others still run. */
  void fire(Consumer<ScalingGroupListener> call) {
    for (ScalingGroupListener l : listeners) {
      try {
        call.accept(l);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "scaling group " + name() + ": listener failed", e);
      }
    }
  }

  // ---------------------------------------------------------------- context

  /** An error's message, or its type when it has none. */
  static String describe(Throwable t) {
    return t.getMessage() != null ? t.getMessage() : t.toString();
  }

  /** Calls a provider or handler method, turning a thrown exception or a null result into a failed future. */
  static <T> Future<T> safe(Supplier<Future<T>> call) {
    try {
      Future<T> f = call.get();
      return f != null ? f : Future.failedFuture(new IllegalStateException("the call returned no future"));
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  /** The same outcome, delivered on the group's context. */
  <T> Future<T> hop(Future<T> f) {
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
  <T> Future<T> onContext(Supplier<Future<T>> action) {
    Promise<T> p = Promise.promise();
    ctx.runOnContext(v -> {
      try {
        hop(action.get()).onComplete(p);
      } catch (RuntimeException e) {
        p.fail(e);
      }
    });
    return p.future();
  }
}
