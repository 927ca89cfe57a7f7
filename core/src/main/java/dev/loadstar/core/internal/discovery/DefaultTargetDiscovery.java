package dev.loadstar.core.internal.discovery;

import dev.loadstar.core.config.Durations;
import dev.loadstar.core.RegisteredTarget;
import dev.loadstar.core.Target;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetGroupListener;
import dev.loadstar.core.discovery.DiscoveryConfig;
import dev.loadstar.core.discovery.DiscoveryListener;
import dev.loadstar.core.discovery.DiscoveryNotReadyException;
import dev.loadstar.core.discovery.TargetDiscovery;
import dev.loadstar.core.discovery.TargetSource;
import dev.loadstar.core.discovery.TargetSourceContext;
import dev.loadstar.core.discovery.TargetSourceStatus;
import dev.loadstar.core.discovery.TargetSourceStatus.State;
import dev.loadstar.core.config.Checks;
import dev.loadstar.core.time.TimeSource;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The discovery of one group. Every report of every source is applied on one Vert.x context: the source's last
 * good answer is replaced (or kept, on failure), the answers of all sources are merged and the group is brought
 * in line (register new or changed targets, schedule the removal of owned targets no source reports any more).
 */
public final class DefaultTargetDiscovery implements TargetDiscovery {

  private static final System.Logger LOG = System.getLogger(DefaultTargetDiscovery.class.getName());

  private final Vertx vertx;
  private final Context context;
  private final TargetGroup group;
  private final DiscoveryConfig config;
  private final TimeSource time;
  private final List<SourceState> sources = new ArrayList<>();
  private final CopyOnWriteArrayList<DiscoveryListener> listeners = new CopyOnWriteArrayList<>();
  private final AtomicBoolean closing = new AtomicBoolean();
  private final Promise<Void> closed = Promise.promise();

  // Confined to the context.
  /** Targets discovery registered (by id, as last registered), until they leave the group. */
  private final Map<String, Target> owned = new LinkedHashMap<>();
  /** Removal timers of owned targets that no source reports any more. */
  private final Map<String, Long> removalTimers = new LinkedHashMap<>();
  private final Map<String, Instant> removalDue = new HashMap<>();
  private final List<Waiter> waiters = new ArrayList<>();
  private Runnable groupListenerHandle;
  private volatile boolean stopped;

  private volatile boolean ready;
  private volatile Set<String> pendingRemovalsView = Set.of();
  private volatile Map<String, Instant> pendingRemovalDueView = Map.of();

  private DefaultTargetDiscovery(Vertx vertx, TargetGroup group, DiscoveryConfig config, TimeSource time) {
    this.vertx = vertx;
    this.time = time;
    this.group = group;
    this.config = config;
    this.context = vertx.getOrCreateContext();
    for (Map.Entry<String, TargetSource> e : config.sources().entrySet()) {
      sources.add(new SourceState(e.getKey(), e.getValue()));
    }
  }

  /** Creates the discovery and starts its sources on its context; every timer is set on {@code time}. */
  public static TargetDiscovery start(Vertx vertx, TargetGroup group, DiscoveryConfig config, TimeSource time) {
    Checks.notNull("vertx", vertx);
    Checks.notNull("group", group);
    Checks.notNull("config", config);
    Checks.notNull("time", time);
    DefaultTargetDiscovery d = new DefaultTargetDiscovery(vertx, group, config, time);
    d.context.runOnContext(v -> d.startSources());
    return d;
  }

  private void startSources() {
    if (stopped) {
      return;
    }
    groupListenerHandle = group.addListener(new TargetGroupListener() {
      @Override
      public void onTargetDeregistered(TargetGroup g, RegisteredTarget target) {
        String id = target.target().id();
        context.runOnContext(v -> onTargetLeft(id));
      }
    });
    for (SourceState s : sources) {
      try {
        s.subscription = s.source.start(s);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "target group " + group.name() + ": source " + s.name
            + " failed to start", e);
        onFail(s, e, null);
      }
    }
  }

  // ---------------------------------------------------------------- reports

  private void onUpdate(SourceState s, List<Target> targets, Duration nextRefresh) {
    if (stopped || s.closed) {
      return;
    }
    Instant now = now();
    boolean recovered = s.status.state() == State.FAILING;
    s.lastGood = dedupe(s, targets);
    s.status = new TargetSourceStatus(s.name, s.source.type(), s.description, State.OK, s.lastGood.size(), now,
        s.status.lastFailure(), s.status.lastError(), 0, nextRefresh == null ? null : now.plus(nextRefresh));
    if (recovered) {
      LOG.log(System.Logger.Level.INFO, "target group " + group.name() + ": discovery source " + s.name
          + " recovered with " + s.lastGood.size() + " targets");
    }
    reconcile();
    TargetSourceStatus status = s.status;
    fire(l -> l.onSourceUpdated(this, status));
    checkReady();
  }

  private void onFail(SourceState s, Throwable cause, Duration retryIn) {
    if (stopped || s.closed) {
      return;
    }
    Instant now = now();
    String message = message(cause);
    TargetSourceStatus before = s.status;
    s.status = new TargetSourceStatus(s.name, s.source.type(), s.description, State.FAILING,
        s.lastGood == null ? 0 : s.lastGood.size(), before.lastSuccess(), now, message,
        before.consecutiveFailures() + 1, retryIn == null ? null : now.plus(retryIn));
    if (before.state() != State.FAILING) {
      LOG.log(System.Logger.Level.WARNING, "target group " + group.name() + ": discovery source " + s.name
          + " failing, keeping its last " + s.status.targetCount() + " known targets: " + message);
    }
    TargetSourceStatus status = s.status;
    fire(l -> l.onSourceFailed(this, status, cause));
  }

  /** One target per id and per address within a source's answer (the first wins). */
  private List<Target> dedupe(SourceState s, List<Target> targets) {
    Map<String, Target> byId = new LinkedHashMap<>();
    Set<String> addresses = new HashSet<>();
    for (Target t : targets) {
      if (t == null) {
        continue;
      }
      if (byId.containsKey(t.id()) || !addresses.add(t.address())) {
        LOG.log(System.Logger.Level.DEBUG, "target group " + group.name() + ": source " + s.name
            + " reported " + t + " twice; keeping the first");
        continue;
      }
      byId.put(t.id(), t);
    }
    return List.copyOf(byId.values());
  }

  private void onTargetLeft(String id) {
    if (stopped) {
      return;
    }
    if (group.target(id) != null) {
      return;
    }
    owned.remove(id);
    // A target leaving may free an id or address that a source reports: bring the group in line again.
    if (sources.stream().anyMatch(s -> s.lastGood != null)) {
      reconcile();
    }
  }

  // -------------------------------------------------------------- reconcile

  private void reconcile() {
    Map<String, Target> desired = new LinkedHashMap<>();
    Map<String, String> idByAddress = new HashMap<>();
    for (SourceState s : sources) {
      if (s.lastGood == null) {
        continue;
      }
      for (Target t : s.lastGood) {
        Target same = desired.get(t.id());
        if (same != null) {
          if (!same.address().equals(t.address())) {
            LOG.log(System.Logger.Level.DEBUG, "target group " + group.name() + ": source " + s.name
                + " reports id " + t.id() + " at " + t.address() + ", an earlier source at " + same.address()
                + "; keeping the earlier");
          }
          continue;
        }
        String otherId = idByAddress.get(t.address());
        if (otherId != null) {
          LOG.log(System.Logger.Level.DEBUG, "target group " + group.name() + ": source " + s.name + " reports "
              + t.address() + " as " + t.id() + ", an earlier source as " + otherId + "; keeping the earlier");
          continue;
        }
        desired.put(t.id(), t);
        idByAddress.put(t.address(), t.id());
      }
    }

    Set<String> foreignAddresses = new HashSet<>();
    for (RegisteredTarget rt : group.targets()) {
      if (!owned.containsKey(rt.target().id())) {
        foreignAddresses.add(rt.target().address());
      }
    }

    for (Target t : desired.values()) {
      cancelRemoval(t.id());
      RegisteredTarget existing = group.target(t.id());
      boolean ours = owned.containsKey(t.id());
      if (existing != null && !ours) {
        continue; // registered directly by someone else: theirs
      }
      if (existing == null && foreignAddresses.contains(t.address())) {
        continue; // the address is held by a direct registration
      }
      if (existing == null || !existing.isActive() || !existing.target().equals(t)) {
        try {
          group.register(t);
        } catch (IllegalStateException e) {
          LOG.log(System.Logger.Level.DEBUG, "target group " + group.name() + ": cannot register " + t, e);
          continue;
        }
      }
      owned.put(t.id(), t);
    }

    for (String id : new ArrayList<>(owned.keySet())) {
      if (!desired.containsKey(id) && !removalTimers.containsKey(id)) {
        scheduleRemoval(id);
      }
    }
    publishPendingRemovals();
  }

  private void scheduleRemoval(String id) {
    Duration delay = config.removalDelay();
    if (delay.isZero()) {
      deregisterOwned(id);
      return;
    }
    long timer = time.setTimer(delay.toMillis(), () -> {
      removalTimers.remove(id);
      removalDue.remove(id);
      publishPendingRemovals();
      if (!stopped) {
        deregisterOwned(id);
      }
    });
    removalTimers.put(id, timer);
    removalDue.put(id, now().plus(delay));
  }

  private void cancelRemoval(String id) {
    Long timer = removalTimers.remove(id);
    removalDue.remove(id);
    if (timer != null) {
      time.cancelTimer(timer);
    }
  }

  private void deregisterOwned(String id) {
    RegisteredTarget rt = group.target(id);
    if (rt == null) {
      owned.remove(id);
      return;
    }
    if (!rt.isActive()) {
      return; // already draining; it stays owned until it has left
    }
    group.deregister(id).onFailure(e -> LOG.log(System.Logger.Level.DEBUG,
        "target group " + group.name() + ": deregistering " + id + " failed", e));
  }

  private void publishPendingRemovals() {
    pendingRemovalsView = Collections.unmodifiableSet(new LinkedHashSet<>(removalTimers.keySet()));
    pendingRemovalDueView = Map.copyOf(removalDue);
  }

  // -------------------------------------------------------------- readiness

  private void checkReady() {
    if (ready || stopped) {
      return;
    }
    for (SourceState s : sources) {
      if (s.lastGood == null) {
        return;
      }
    }
    ready = true;
    for (Waiter w : new ArrayList<>(waiters)) {
      time.cancelTimer(w.timer);
      w.promise.tryComplete();
    }
    waiters.clear();
    fire(l -> l.onReady(this));
  }

  @Override
  public boolean isReady() {
    return ready;
  }

  @Override
  public Future<Void> whenReady() {
    return whenReady(config.readyTimeout());
  }

  @Override
  public Future<Void> whenReady(Duration timeout) {
    Durations.positive("timeout", timeout);
    if (ready) {
      return Future.succeededFuture();
    }
    Promise<Void> promise = Promise.promise();
    context.runOnContext(v -> {
      if (ready) {
        promise.tryComplete();
      } else if (stopped) {
        promise.tryFail(new IllegalStateException("target group " + group.name() + ": discovery is closed"));
      } else {
        Waiter w = new Waiter(promise);
        w.timer = time.setTimer(Math.max(1, timeout.toMillis()), () -> {
          waiters.remove(w);
          promise.tryFail(notReady(timeout));
        });
        waiters.add(w);
      }
    });
    return promise.future();
  }

  private DiscoveryNotReadyException notReady(Duration timeout) {
    List<String> pending = new ArrayList<>();
    List<String> details = new ArrayList<>();
    for (SourceState s : sources) {
      if (s.lastGood == null) {
        pending.add(s.name);
        String error = s.status.lastError();
        details.add(s.name + " (" + (error != null ? "failing: " + error : "no answer yet") + ")");
      }
    }
    return new DiscoveryNotReadyException(group.name(), pending, timeout, "target group " + group.name()
        + ": discovery not ready after " + Durations.format(timeout) + "; sources still pending: "
        + String.join(", ", details));
  }

  private static final class Waiter {
    final Promise<Void> promise;
    long timer;

    Waiter(Promise<Void> promise) {
      this.promise = promise;
    }
  }

  // ----------------------------------------------------------------- status

  @Override
  public TargetGroup group() {
    return group;
  }

  @Override
  public DiscoveryConfig config() {
    return config;
  }

  @Override
  public List<TargetSourceStatus> status() {
    List<TargetSourceStatus> out = new ArrayList<>(sources.size());
    for (SourceState s : sources) {
      out.add(s.status);
    }
    return Collections.unmodifiableList(out);
  }

  @Override
  public TargetSourceStatus status(String sourceName) {
    for (SourceState s : sources) {
      if (s.name.equals(sourceName)) {
        return s.status;
      }
    }
    return null;
  }

  @Override
  public Set<String> pendingRemovals() {
    return pendingRemovalsView;
  }

  @Override
  public String describe() {
    StringBuilder sb = new StringBuilder();
    sb.append("discovery of target group ").append(group.name()).append(": ")
        .append(stopped ? "closed" : ready ? "ready" : "not ready")
        .append(", removal delay ").append(Durations.format(config.removalDelay())).append('\n');
    for (SourceState s : sources) {
      TargetSourceStatus st = s.status;
      sb.append("  ").append(st.name()).append(" (").append(st.type()).append(": ").append(st.description())
          .append("): ").append(st.state().displayName());
      if (st.answered()) {
        sb.append(", ").append(st.targetCount()).append(st.targetCount() == 1 ? " target" : " targets");
        if (st.state() == State.FAILING) {
          sb.append(" (last known good)");
        }
        sb.append(", last success ").append(st.lastSuccess());
      }
      if (st.state() == State.FAILING) {
        sb.append(", ").append(st.consecutiveFailures()).append(" consecutive failures, last at ")
            .append(st.lastFailure()).append(": ").append(st.lastError());
      }
      if (st.nextAttempt() != null && st.state() != State.CLOSED) {
        sb.append(", next attempt ").append(st.nextAttempt());
      }
      sb.append('\n');
    }
    Map<String, Instant> due = pendingRemovalDueView;
    for (String id : pendingRemovalsView) {
      sb.append("  pending removal: ").append(id);
      Instant at = due.get(id);
      if (at != null) {
        sb.append(" at ").append(at);
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  @Override
  public Runnable addListener(DiscoveryListener listener) {
    Objects.requireNonNull(listener, "listener");
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  private void fire(Consumer<DiscoveryListener> call) {
    for (DiscoveryListener l : listeners) {
      try {
        call.accept(l);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "target group " + group.name() + ": discovery listener failed", e);
      }
    }
  }

  @Override
  public String toString() {
    return "TargetDiscovery{" + group.name() + ", sources=" + config.sources().keySet() + "}";
  }

  // ------------------------------------------------------------------ close

  @Override
  public Future<Void> close() {
    if (closing.compareAndSet(false, true)) {
      context.runOnContext(v -> stop());
    }
    return closed.future();
  }

  private void stop() {
    stopped = true;
    for (Long timer : removalTimers.values()) {
      time.cancelTimer(timer);
    }
    removalTimers.clear();
    removalDue.clear();
    publishPendingRemovals();
    for (Waiter w : waiters) {
      time.cancelTimer(w.timer);
      w.promise.tryFail(new IllegalStateException("target group " + group.name() + ": discovery is closed"));
    }
    waiters.clear();
    if (groupListenerHandle != null) {
      groupListenerHandle.run();
    }
    List<Future<Void>> closing = new ArrayList<>();
    for (SourceState s : sources) {
      s.closed = true;
      TargetSourceStatus st = s.status;
      s.status = new TargetSourceStatus(st.name(), st.type(), st.description(), State.CLOSED, st.targetCount(),
          st.lastSuccess(), st.lastFailure(), st.lastError(), st.consecutiveFailures(), null);
      if (s.subscription != null) {
        try {
          closing.add(s.subscription.close());
        } catch (RuntimeException e) {
          closing.add(Future.failedFuture(e));
        }
      }
    }
    Future.join(closing).onComplete(ar -> {
      if (ar.failed()) {
        LOG.log(System.Logger.Level.WARNING, "target group " + group.name() + ": closing a discovery source failed",
            ar.cause());
      }
      closed.tryComplete();
    });
  }

  // ---------------------------------------------------------------- sources

  private Instant now() {
    return Instant.ofEpochMilli(time.currentTimeMillis());
  }

  private static String message(Throwable t) {
    if (t == null) {
      return "unknown error";
    }
    String m = t.getMessage();
    return m != null ? m : t.getClass().getName();
  }

  /** One source of this discovery: its context, its last good answer and its status. */
  private final class SourceState implements TargetSourceContext {
    final String name;
    final TargetSource source;
    final String description;
    TargetSource.Subscription subscription;
    /** The last good answer, {@code null} before the first (context only). */
    List<Target> lastGood;
    volatile TargetSourceStatus status;
    volatile boolean closed;

    SourceState(String name, TargetSource source) {
      this.name = name;
      this.source = source;
      this.description = String.valueOf(source);
      this.status = new TargetSourceStatus(name, source.type(), description, State.PENDING, 0, null, null, null, 0,
          null);
    }

    @Override
    public Vertx vertx() {
      return vertx;
    }

    @Override
    public TimeSource time() {
      return time;
    }

    @Override
    public String groupName() {
      return group.name();
    }

    @Override
    public String sourceName() {
      return name;
    }

    @Override
    public void update(Collection<Target> targets, Duration nextRefresh) {
      Objects.requireNonNull(targets, "targets");
      if (closed) {
        return;
      }
      List<Target> copy = new ArrayList<>(targets);
      context.runOnContext(v -> onUpdate(this, copy, nextRefresh));
    }

    @Override
    public void fail(Throwable cause, Duration retryIn) {
      if (closed) {
        return;
      }
      context.runOnContext(v -> onFail(this, cause, retryIn));
    }
  }
}
