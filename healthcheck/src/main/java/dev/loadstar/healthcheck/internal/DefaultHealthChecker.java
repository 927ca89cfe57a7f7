package dev.loadstar.healthcheck.internal;

import dev.loadstar.core.config.Checks;
import dev.loadstar.core.FunctionFailedException;
import dev.loadstar.core.FunctionRequest;
import dev.loadstar.core.HealthChangeEvent;
import dev.loadstar.core.RegisteredTarget;
import dev.loadstar.core.RequestOutcome;
import dev.loadstar.core.Target;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetGroupListener;
import dev.loadstar.core.TargetHealth;
import dev.loadstar.healthcheck.CheckListener;
import dev.loadstar.healthcheck.HealthCheck;
import dev.loadstar.healthcheck.HealthChecker;
import dev.loadstar.core.FailureKind;
import dev.loadstar.healthcheck.OutlierDetection;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientConnection;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.HttpConnectOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.net.ConnectOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The health checker: active checks and passive outlier detection for one target group, arbitrated into one health
 * value per target.
 *
 * <p>Threading. Targets are spread by id over a few event-loop contexts ({@link Shard shards}, one per two cores by
 * default); everything that decides about a target (its schedule, its checks, its state machine, its ejections) runs
 * on its shard's context, so per-target state needs no lock. The group's listener callbacks hop onto the right
 * shard. The only shared decisions, the ejection cap and the concurrency cap, use atomics or a per-shard share.
 * {@link #onRequestEnd} runs on the request's thread and only records into the target's circuit breaker (lock-free;
 * successes while nothing failed are not even recorded). Health values are handed to the group by an ordered worker
 * task, in batches, because a health change rebuilds the group's snapshot (O(targets)) under the group's lock: that
 * cost never lands on an event loop. A target's next check is scheduled only once the health change its previous
 * check caused has been applied, so a check's effect is visible in the group before the next check of that target.
 */
public final class DefaultHealthChecker implements HealthChecker, TargetGroupListener {

  private static final System.Logger LOG = System.getLogger(DefaultHealthChecker.class.getName());

  /** Each interval is stretched or shrunk by up to this share, at random. */
  static final double JITTER = 0.1;
  /** A new target's first check runs within this time (or within one interval if shorter). */
  static final long FIRST_CHECK_SPREAD_MS = 1000;
  /** Shards (event-loop contexts) per checker: one per two cores (at least one), at most this many. */
  static final int MAX_SHARDS = 8;
  /**
   * System property overriding the number of shards (default: half the cores, at least 1, at most
   * {@value #MAX_SHARDS}). On the 2-core benchmark machine one shard did 10,000 checks/s with less CPU and lag than
   * two (see BENCHMARKS.md): the event loops also serve the application.
   */
  public static final String SHARDS_PROPERTY = "loadstar.healthcheck.eventLoops";

  static final TargetHealth TIMED_OUT = TargetHealth.unhealthy(TargetHealth.Reason.TARGET_TIMEOUT,
      "Request timed out");
  /** The verdict of a check that failed for each kind of failure (no allocation per failed check). */
  private static final java.util.EnumMap<FailureKind, TargetHealth> BY_KIND = new java.util.EnumMap<>(FailureKind.class);

  static {
    for (FailureKind k : FailureKind.values()) {
      BY_KIND.put(k, k == FailureKind.TIMEOUT || k == FailureKind.CONNECT_TIMEOUT ? TIMED_OUT : failed(k.description()));
    }
  }

  private final Vertx vertx;
  private final TargetGroup group;
  private final HealthCheck healthCheck;
  private final OutlierDetection outlierDetection;
  private final boolean active;
  private final boolean passive;
  private final long intervalNanos;
  private final long timeoutMs;
  private final HttpClientAgent http;
  private final NetClient net;
  private final boolean grpc;
  private final CircuitBreakerConfig breakerConfig;
  private final Shard[] shards;
  private final int maxInFlightPerShard;

  // Any thread.
  private final ConcurrentHashMap<RegisteredTarget, TargetState> byTarget = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<Update> updates = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean flushing = new AtomicBoolean();
  private final AtomicInteger liveTimers = new AtomicInteger();
  private final AtomicInteger tracked = new AtomicInteger();
  private final AtomicInteger ejected = new AtomicInteger();
  private final AtomicLong ejectionsRefusedByCap = new AtomicLong();
  private final AtomicBoolean closeCalled = new AtomicBoolean();
  private final Promise<Void> closePromise = Promise.promise();
  private volatile boolean stopped;
  private volatile Runnable removeListener;
  private volatile ProbeListener probeListener;
  private final CopyOnWriteArrayList<CheckListener> checkListeners = new CopyOnWriteArrayList<>();

  private DefaultHealthChecker(Vertx vertx, TargetGroup group, HealthCheck healthCheck,
      OutlierDetection outlierDetection) {
    this.vertx = vertx;
    this.group = group;
    this.healthCheck = healthCheck;
    this.outlierDetection = outlierDetection;
    this.active = group.config().healthCheckEnabled();
    this.passive = outlierDetection.enabled();
    this.intervalNanos = healthCheck.interval().toNanos();
    this.timeoutMs = healthCheck.timeout().toMillis();
    this.grpc = healthCheck.protocol() == HealthCheck.Protocol.GRPC;
    int n = Math.max(1, Math.min(Math.min(Integer.getInteger(SHARDS_PROPERTY,
        Runtime.getRuntime().availableProcessors() / 2), MAX_SHARDS), healthCheck.maxConcurrentChecks()));
    this.shards = newShards(vertx, n);
    this.maxInFlightPerShard = Math.max(1, healthCheck.maxConcurrentChecks() / shards.length);
    if (active && healthCheck.protocol() != HealthCheck.Protocol.TCP) {
      HttpClientOptions options = new HttpClientOptions()
          .setKeepAlive(true) // each check decides: kept for reuse, or closed after the check
          .setTrustAll(true)
          .setVerifyHost(false)
          .setTcpNoDelay(true)
          .setName("loadstar-healthcheck-" + group.name());
      if (healthCheck.protocol() == HealthCheck.Protocol.GRPC) {
        // gRPC runs over HTTP/2; cleartext with prior knowledge (no HTTP/1.1 upgrade), as gRPC servers expect
        options.setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false);
      }
      this.http = vertx.httpClientBuilder().with(options).build();
      this.net = null;
    } else if (active) {
      this.http = null;
      this.net = vertx.createNetClient(new NetClientOptions().setTcpNoDelay(true));
    } else {
      this.http = null;
      this.net = null;
    }
    this.breakerConfig = passive ? CircuitBreakerConfig.custom()
        .slidingWindow(outlierDetection.consecutiveFailures(), outlierDetection.consecutiveFailures(),
            CircuitBreakerConfig.SlidingWindowType.COUNT_BASED,
            CircuitBreakerConfig.SlidingWindowSynchronizationStrategy.LOCK_FREE)
        .failureRateThreshold(100)
        .slowCallRateThreshold(100)
        .slowCallDurationThreshold(Duration.ofDays(1))
        .permittedNumberOfCallsInHalfOpenState(1)
        .waitDurationInOpenState(Duration.ofDays(1))
        .automaticTransitionFromOpenToHalfOpenEnabled(false)
        .writableStackTraceEnabled(false)
        .build() : null;
  }

  /**
   * One event-loop context per shard. Vert.x's public API gives a non-Vert.x thread one sticky context, so distinct
   * contexts come from {@code VertxInternal#createEventLoopContext} (round robin over the event loops); a Vertx that
   * is not the standard implementation gets a single shard.
   */
  private static Shard[] newShards(Vertx vertx, int n) {
    if (!(vertx instanceof VertxInternal)) {
      return new Shard[] {new Shard(vertx.getOrCreateContext())};
    }
    if (n == 1) {
      // the caller's event loop when started on one (Vert.x's context affinity), else a new event-loop context
      Context current = vertx.getOrCreateContext();
      return new Shard[] {new Shard(current.isEventLoopContext() ? current
          : ((VertxInternal) vertx).createEventLoopContext())};
    }
    Shard[] shards = new Shard[n];
    for (int i = 0; i < n; i++) {
      shards[i] = new Shard(((VertxInternal) vertx).createEventLoopContext());
    }
    return shards;
  }

  /** Creates the checker and starts it: targets already registered are picked up on the checker's contexts. */
  public static DefaultHealthChecker start(Vertx vertx, TargetGroup group, HealthCheck healthCheck,
      OutlierDetection outlierDetection) {
    Objects.requireNonNull(vertx, "vertx");
    Objects.requireNonNull(group, "group");
    Objects.requireNonNull(healthCheck, "healthCheck");
    Objects.requireNonNull(outlierDetection, "outlierDetection");
    DefaultHealthChecker checker = new DefaultHealthChecker(vertx, group, healthCheck, outlierDetection);
    checker.removeListener = group.addListener(checker);
    for (RegisteredTarget t : group.targets()) {
      checker.shardOf(t.target().id()).context.runOnContext(v -> checker.track(t));
    }
    return checker;
  }

  private Shard shardOf(String targetId) {
    return shards.length == 1 ? shards[0] : shards[Math.floorMod(targetId.hashCode(), shards.length)];
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Public surface

  @Override
  public TargetGroup group() {
    return group;
  }

  @Override
  public HealthCheck healthCheck() {
    return healthCheck;
  }

  @Override
  public OutlierDetection outlierDetection() {
    return outlierDetection;
  }

  @Override
  public boolean activeChecksEnabled() {
    return active;
  }

  /** Timers the checker currently holds (check schedules, check deadlines, ejections); 0 after close. */
  public int liveTimers() {
    return liveTimers.get();
  }

  /** Checks in flight now. */
  public int inFlightChecks() {
    int n = 0;
    for (Shard s : shards) {
      n += s.inFlight;
    }
    return n;
  }

  /** The event-loop contexts the checker runs on. */
  public int shards() {
    return shards.length;
  }

  /** Targets currently followed (registered and not draining). */
  public int trackedTargets() {
    return tracked.get();
  }

  /** Targets currently ejected by outlier detection. */
  public int ejectedTargets() {
    return ejected.get();
  }

  /** Ejections refused because the cap ({@code maxEjectionPercent}) was reached. */
  public long ejectionsRefusedByCap() {
    return ejectionsRefusedByCap.get();
  }

  /** The state of the target's circuit breaker, or null when the target is not followed or passive health is off. */
  public CircuitBreaker.State breakerState(RegisteredTarget target) {
    TargetState s = byTarget.get(target);
    return s == null || s.breaker == null ? null : s.breaker.getState();
  }

  /** Sets (or clears, with null) the observer of finished checks; it is called on the checker's contexts. */
  public void probeListener(ProbeListener listener) {
    this.probeListener = listener;
  }

  @Override
  public Runnable addCheckListener(CheckListener listener) {
    Objects.requireNonNull(listener, "listener");
    checkListeners.add(listener);
    return () -> checkListeners.remove(listener);
  }

  @Override
  public Future<Void> close() {
    if (!closeCalled.compareAndSet(false, true)) {
      return closePromise.future();
    }
    stopped = true;
    Runnable remove = removeListener;
    if (remove != null) {
      remove.run();
    }
    List<Future<Void>> shardsClosed = new ArrayList<>(shards.length);
    for (Shard shard : shards) {
      Promise<Void> p = Promise.promise();
      shard.context.runOnContext(v -> {
        closeShard(shard);
        p.complete();
      });
      shardsClosed.add(p.future());
    }
    Future.all(shardsClosed)
        .compose(v -> shards[0].context.executeBlocking(() -> {
          drainUpdates();
          return null;
        }, true))
        .transform(ar -> {
          List<Future<?>> closing = new ArrayList<>(2);
          if (http != null) {
            closing.add(http.close());
          }
          if (net != null) {
            closing.add(net.close());
          }
          return Future.join(closing);
        })
        .onComplete(ar -> closePromise.tryComplete());
    return closePromise.future();
  }

  /** Cancels the shard's timers and checks, ends its ejections (the active state applies again), closes idle links. */
  private void closeShard(Shard shard) {
    for (Bucket b : shard.buckets.values()) {
      cancel(b.timerId);
    }
    shard.buckets.clear();
    for (TargetState s : shard.byId.values()) {
      s.stopped = true;
      Attempt a = s.current;
      if (a != null) {
        a.done = true; // a connection still being set up for it will not be used to send it
        abort(a);
      }
      if (s.ejected) {
        cancel(s.ejectionTimer);
        s.ejectionTimer = -1;
        s.ejected = false;
        ejected.decrementAndGet();
        TargetHealth restored = effective(s);
        if (!restored.equals(s.applied)) {
          s.applied = restored;
          updates.add(new Update(s, restored, null));
        }
      }
      byTarget.remove(s.rt);
    }
    for (Endpoint e : shard.endpoints.values()) {
      e.closeIdle();
    }
    tracked.addAndGet(-shard.byId.size());
    shard.endpoints.clear();
    shard.byId.clear();
    shard.waiting.clear();
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Group membership (listener callbacks hop to the target's shard)

  @Override
  public void onTargetRegistered(TargetGroup g, RegisteredTarget target) {
    shardOf(target.target().id()).context.runOnContext(v -> track(target));
  }

  @Override
  public void onTargetDraining(TargetGroup g, RegisteredTarget target) {
    shardOf(target.target().id()).context.runOnContext(v -> untrack(target));
  }

  @Override
  public void onTargetDeregistered(TargetGroup g, RegisteredTarget target) {
    shardOf(target.target().id()).context.runOnContext(v -> untrack(target));
  }

  @Override
  public void onHealthChanged(HealthChangeEvent event) {
    // Registering a draining target again stops the draining: follow it again.
    if (event.previous().state() == TargetHealth.State.DRAINING
        && event.current().state() != TargetHealth.State.UNUSED) {
      RegisteredTarget t = group.target(event.target().id());
      if (t != null) {
        shardOf(t.target().id()).context.runOnContext(v -> track(t));
      }
    }
  }

  private void track(RegisteredTarget rt) {
    if (stopped || !rt.isActive()) {
      return;
    }
    String id = rt.target().id();
    Shard shard = shardOf(id);
    TargetState old = shard.byId.get(id);
    if (old != null) {
      if (old.rt == rt) {
        return;
      }
      untrackState(old);
    }
    TargetState s = new TargetState(shard, rt, healthCheck.portFor(rt.target()));
    s.applied = rt.health();
    // active checks apply to instance and ip targets, and to function targets that enable them (see Target)
    boolean checked = active && rt.target().healthCheckEnabled();
    if (checked && http != null && rt.target().kind().isNetwork()) {
      s.endpoint = shard.endpoints.computeIfAbsent(s.hostHeader, k -> new Endpoint(k, new HttpConnectOptions()
          .setHost(s.host).setPort(s.port).setSsl(healthCheck.protocol() == HealthCheck.Protocol.HTTPS)
          .setConnectTimeout(timeoutMs)));
      s.endpoint.users++;
      s.requestOptions = new RequestOptions().setMethod(HttpMethod.GET).setURI(healthCheck.path())
          .setFollowRedirects(false).putHeader(HttpHeaders.HOST, s.hostHeader)
          .putHeader(HttpHeaders.USER_AGENT, HealthCheck.USER_AGENT);
      if (grpc) {
        // HTTP/2 forbids Connection headers: a connection not reused is closed after the check instead
        s.requestOptions.setMethod(HttpMethod.POST).putHeader(HttpHeaders.CONTENT_TYPE, GrpcProbe.CONTENT_TYPE)
            .putHeader(GrpcProbe.TE, GrpcProbe.TRAILERS);
      } else if (!healthCheck.reuseConnections()) {
        s.requestOptions.putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
      }
    }
    if (checked) {
      s.machine = new ActiveHealth(healthCheck.healthyThresholdCount(), healthCheck.unhealthyThresholdCount(),
          startingHealth(rt.health()));
    }
    if (passive) {
      s.breaker = newBreaker(s);
    }
    shard.byId.put(id, s);
    byTarget.put(rt, s);
    tracked.incrementAndGet();
    if (checked) {
      long spread = Math.min(healthCheck.interval().toMillis(), FIRST_CHECK_SPREAD_MS);
      long delayMs = ThreadLocalRandom.current().nextLong(spread);
      s.plannedNanos = at(shard, System.nanoTime() + delayMs * 1_000_000L, () -> due(s));
    }
  }

  /** A checker (re)started on a group keeps states that checks produced; anything else starts {@code initial}. */
  private static TargetHealth startingHealth(TargetHealth h) {
    if (h.state() == TargetHealth.State.HEALTHY) {
      return TargetHealth.HEALTHY;
    }
    if (h.state() == TargetHealth.State.UNHEALTHY && h.reason() != TargetHealth.Reason.TARGET_OUTLIER_EJECTED) {
      return h;
    }
    return TargetHealth.INITIAL;
  }

  private void untrack(RegisteredTarget rt) {
    TargetState s = shardOf(rt.target().id()).byId.get(rt.target().id());
    if (s != null && s.rt == rt) {
      untrackState(s);
    }
  }

  private void untrackState(TargetState s) {
    s.stopped = true; // its scheduled check, if any, finds it stopped
    if (s.ejected) {
      s.ejected = false;
      ejected.decrementAndGet();
      cancel(s.ejectionTimer);
      s.ejectionTimer = -1;
    }
    Endpoint e = s.endpoint;
    if (e != null && --e.users == 0) {
      s.shard.endpoints.remove(e.key);
      e.closeIdle();
    }
    s.shard.byId.remove(s.id);
    byTarget.remove(s.rt);
    tracked.decrementAndGet();
    // An in-flight check ends on its own (bounded by the timeout); its result is ignored.
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Active checks

  private void due(TargetState s) {
    if (stopped || s.stopped) {
      return;
    }
    Shard shard = s.shard;
    if (shard.inFlight >= maxInFlightPerShard) {
      shard.waiting.add(s);
      return;
    }
    startCheck(s);
  }

  private void startCheck(TargetState s) {
    s.shard.inFlight++;
    Attempt a = new Attempt(s, s.plannedNanos, System.nanoTime());
    s.current = a;
    at(s.shard, a.startNanos + timeoutMs * 1_000_000L, () -> {
      if (!a.done) {
        finish(a, TIMED_OUT);
        abort(a);
      }
    });
    try {
      if (s.rt.target().kind() == Target.Kind.FUNCTION) {
        checkFunction(a);
      } else if (healthCheck.protocol() == HealthCheck.Protocol.TCP) {
        checkTcp(a);
      } else {
        checkHttp(a);
      }
    } catch (RuntimeException e) {
      // e.g. the client was closed because Vert.x is closing underneath the checker
      finish(a, classify(e, false));
    }
  }

  /**
   * An HTTP(S) check. With reused connections it takes an idle kept-alive connection to the target's address (LIFO)
   * or opens one, and gives it back afterwards; otherwise it opens a connection and closes it after the check, as ALB
   * does. Connections are opened outside the client's pool, on the shard's event loop, and pooled per address by the
   * shard itself: targets sharing an address share connections, and there are never more connections to an address
   * than checks in flight to it.
   */
  private void checkHttp(Attempt a) {
    ArrayDeque<Conn> idle = a.state.endpoint.idle;
    while (!idle.isEmpty()) {
      Conn c = idle.pollLast();
      if (!c.closed) {
        send(a, c, true);
        return;
      }
    }
    connect(a);
  }

  private void connect(Attempt a) {
    TargetState s = a.state;
    Endpoint e = s.endpoint;
    http.connect(e.options).onComplete(ar -> {
      if (ar.failed()) {
        finish(a, classify(ar.cause(), false));
        return;
      }
      Conn c = new Conn(ar.result(), e);
      c.connection.closeHandler(v -> c.closed = true);
      if (a.done || s.stopped || stopped) {
        c.close();
        return;
      }
      send(a, c, false);
    });
  }

  private void send(Attempt a, Conn c, boolean reused) {
    TargetState s = a.state;
    a.conn = c;
    c.connection.request(s.requestOptions).onComplete(ar -> {
      if (ar.failed()) {
        failedBeforeResponse(a, c, reused, ar.cause());
        return;
      }
      HttpClientRequest request = ar.result();
      request.exceptionHandler(DefaultHealthChecker::ignore); // failures arrive through send(); no log per reset
      if (a.done) {
        request.reset();
        return;
      }
      a.request = request;
      (grpc ? request.send(GrpcProbe.EMPTY_MESSAGE) : request.send()).onComplete(sent -> {
        if (sent.failed()) {
          failedBeforeResponse(a, c, reused, sent.cause());
          return;
        }
        HttpClientResponse response = sent.result();
        int status = response.statusCode();
        if (grpc) {
          response.body().onComplete(body -> {
            if (body.failed()) {
              c.close();
              finish(a, classify(body.cause(), true));
              return;
            }
            releaseConnection(a, c);
            finish(a, GrpcProbe.verdict(healthCheck, status, response.headers(), response.trailers(),
                body.result()));
          });
          return;
        }
        response.end().onComplete(ended -> {
          if (ended.failed()) {
            c.close();
            finish(a, classify(ended.cause(), true));
            return;
          }
          releaseConnection(a, c);
          finish(a, healthCheck.matches(status) ? null : TargetHealth.unhealthy(
              TargetHealth.Reason.TARGET_RESPONSE_CODE_MISMATCH,
              "Health checks failed with these codes: [" + status + "]"));
        });
      });
    });
  }

  /** After a check with a complete answer: the connection goes back to the idle list when reused, else it closes. */
  private void releaseConnection(Attempt a, Conn c) {
    if (healthCheck.reuseConnections() && !a.done && !c.closed && c.endpoint.users > 0) {
      c.endpoint.idle.addLast(c);
    } else {
      c.close();
    }
  }

  /**
   * A kept-alive connection can turn out closed only when used (the target closed it in between): that says nothing
   * about the target, so the check goes once more on a new connection, within the same deadline.
   */
  private void failedBeforeResponse(Attempt a, Conn c, boolean reused, Throwable cause) {
    c.close();
    if (reused && !a.done && !stopped && !a.state.stopped) {
      a.request = null;
      a.conn = null;
      connect(a);
      return;
    }
    finish(a, classify(cause, true));
  }

  private void checkTcp(Attempt a) {
    TargetState s = a.state;
    net.connect(new ConnectOptions().setHost(s.host).setPort(s.port).setTimeout((int) Math.min(timeoutMs,
        Integer.MAX_VALUE))).onComplete(ar -> {
          if (ar.failed()) {
            finish(a, classify(ar.cause(), false));
            return;
          }
          ar.result().close();
          finish(a, null);
        });
  }

  /**
   * A function target's check: its handler is called in process with a GET of the check's path (ALB invokes a Lambda
   * target with the health check request); the status must match, a throw or failed future fails the check, and the
   * check's deadline applies as for any target.
   */
  private void checkFunction(Attempt a) {
    TargetState s = a.state;
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().add(HttpHeaders.USER_AGENT, HealthCheck.USER_AGENT);
    FunctionRequest request = new FunctionRequest(HttpMethod.GET, healthCheck.path(), headers, null);
    s.rt.target().function().call(vertx, s.shard.context, s.id, request, timeoutMs)
        .onComplete(ar -> s.shard.context.runOnContext(v -> {
          if (ar.succeeded()) {
            int status = ar.result().statusCode();
            finish(a, healthCheck.matches(status) ? null : TargetHealth.unhealthy(
                TargetHealth.Reason.TARGET_RESPONSE_CODE_MISMATCH,
                "Health checks failed with these codes: [" + status + "]"));
          } else if (ar.cause() instanceof FunctionFailedException f) {
            // the handler's own error is the evidence an operator needs; it is shown, never interpreted
            finish(a, failed("the function failed" + (f.getCause() != null ? ": " + f.getCause() : "")));
          } else {
            finish(a, classify(ar.cause(), true));
          }
        }));
  }

  /** Stops a check: its connection is closed (a kept-alive one too, as its state is unknown). */
  private static void abort(Attempt a) {
    HttpClientRequest r = a.request;
    if (r != null) {
      r.reset();
    }
    Conn c = a.conn;
    if (c != null) {
      c.close();
    }
  }

  /** The end of a check: frees its slot, feeds the state machine, applies a change, schedules the next one. */
  private void finish(Attempt a, TargetHealth failure) {
    if (a.done) {
      return;
    }
    a.done = true; // its deadline, if still pending, finds it done
    TargetState s = a.state;
    Shard shard = s.shard;
    shard.inFlight--;
    if (s.current == a) {
      s.current = null;
    }
    startWaiting(shard);
    if (stopped || s.stopped) {
      return;
    }
    boolean changed = failure == null ? s.machine.onSuccess() : s.machine.onFailure(failure);
    ProbeListener l = probeListener;
    if (l != null) {
      l.onProbe(s.rt, a.plannedNanos, a.startNanos, System.nanoTime(), failure, s.machine.health());
    }
    if (!checkListeners.isEmpty()) {
      TargetHealth activeHealth = s.machine.health();
      for (CheckListener cl : checkListeners) {
        try {
          cl.onCheck(s.rt, failure, activeHealth);
        } catch (RuntimeException e) {
          LOG.log(System.Logger.Level.WARNING, "target group " + group.name() + ": check listener failed", e);
        }
      }
    }
    if (changed) {
      apply(s, () -> scheduleNext(s));
    } else {
      scheduleNext(s);
    }
  }

  private void startWaiting(Shard shard) {
    while (shard.inFlight < maxInFlightPerShard && !shard.waiting.isEmpty()) {
      TargetState next = shard.waiting.poll();
      if (!next.stopped && !stopped) {
        startCheck(next);
      }
    }
  }

  /** The next check starts one (jittered) interval after the previous one was planned, never before it ended. */
  private void scheduleNext(TargetState s) {
    if (stopped || s.stopped) {
      return;
    }
    double factor = 1 + JITTER * (2 * ThreadLocalRandom.current().nextDouble() - 1);
    s.plannedNanos = at(s.shard, s.plannedNanos + (long) (intervalNanos * factor), () -> due(s));
  }

  /**
   * ALB's reason for a failed check, from core's typed classification: a timeout (connecting or waiting for the
   * answer) is {@code Target.Timeout}; anything else is {@code Target.FailedHealthChecks} with the kind's wording.
   * {@code connected} says whether the check had its connection when it failed.
   */
  static TargetHealth classify(Throwable t, boolean connected) {
    return verdict(FailureKind.classify(t, connected));
  }

  static TargetHealth verdict(FailureKind kind) {
    return BY_KIND.get(kind);
  }

  private static TargetHealth failed(String detail) {
    return TargetHealth.unhealthy(TargetHealth.Reason.TARGET_FAILED_HEALTH_CHECKS, "Health checks failed: " + detail);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Passive health

  private CircuitBreaker newBreaker(TargetState s) {
    CircuitBreaker cb = CircuitBreaker.of(group.name() + "/" + s.id, breakerConfig);
    cb.getEventPublisher().onStateTransition(e -> {
      if (e.getStateTransition().getToState() == CircuitBreaker.State.OPEN) {
        boolean fromTrial = e.getStateTransition().getFromState() == CircuitBreaker.State.HALF_OPEN;
        s.shard.context.runOnContext(v -> breakerOpened(s, fromTrial));
      }
    });
    return cb;
  }

  @Override
  public void onRequestEnd(RegisteredTarget target, RequestOutcome outcome, long latencyNanos) {
    if (!passive || outcome == RequestOutcome.CANCELLED || stopped) {
      return;
    }
    TargetState s = byTarget.get(target);
    if (s == null) {
      return;
    }
    CircuitBreaker cb = s.breaker;
    long latency = Math.max(0, latencyNanos);
    if (outcome.isFailure()) {
      s.sawFailure = true;
      cb.onError(latency, TimeUnit.NANOSECONDS, RequestFailure.of(outcome));
    } else if (s.sawFailure || cb.getState() != CircuitBreaker.State.CLOSED) {
      // A success matters only after a failure (it breaks the run) or to decide a trial; otherwise skip the work.
      s.sawFailure = false;
      cb.onSuccess(latency, TimeUnit.NANOSECONDS);
    }
  }

  private void breakerOpened(TargetState s, boolean fromTrial) {
    if (stopped || s.stopped || s.ejected || s.breaker.getState() != CircuitBreaker.State.OPEN) {
      return;
    }
    if (s.machine != null && !s.machine.health().isRoutable()) {
      // Active checks already keep it out of rotation (its traffic came from failing open): nothing to eject.
      s.breaker.transitionToClosedState();
      return;
    }
    int cap = (int) ((long) tracked.get() * outlierDetection.maxEjectionPercent() / 100);
    for (;;) {
      int now = ejected.get();
      if (now >= cap) {
        ejectionsRefusedByCap.incrementAndGet();
        s.breaker.transitionToClosedState();
        return;
      }
      if (ejected.compareAndSet(now, now + 1)) {
        break;
      }
    }
    long now = System.nanoTime();
    if (s.ejections > 0 && now - s.lastEjectionEndNanos >= outlierDetection.maxEjectionTime().toNanos()) {
      s.ejections = 0;
    }
    s.ejections++;
    Duration time = outlierDetection.ejectionTime(s.ejections);
    s.ejected = true;
    String cause = fromTrial ? "its trial request failed"
        : outlierDetection.consecutiveFailures() + " consecutive failed requests";
    s.ejectionHealth = TargetHealth.unhealthy(TargetHealth.Reason.TARGET_OUTLIER_EJECTED,
        "Ejected by outlier detection after " + cause + " (ejection " + s.ejections + ", for " + format(time) + ")");
    s.ejectionTimer = timer(time.toMillis(), tid -> endEjection(s));
    apply(s, null);
  }

  private void endEjection(TargetState s) {
    s.ejectionTimer = -1;
    if (stopped || s.stopped || !s.ejected) {
      return;
    }
    s.ejected = false;
    ejected.decrementAndGet();
    s.lastEjectionEndNanos = System.nanoTime();
    if (s.breaker.getState() == CircuitBreaker.State.OPEN) {
      s.breaker.transitionToHalfOpenState();
    }
    apply(s, null);
  }

  private static void ignore(Throwable t) {
  }

  static String format(Duration d) {
    long ms = d.toMillis();
    return ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Arbitration and hand-over to the group

  /** One health per target: an ejection wins while it lasts; otherwise the active state (or unavailable). */
  private TargetHealth effective(TargetState s) {
    if (s.ejected) {
      return s.ejectionHealth;
    }
    return s.machine != null ? s.machine.health() : TargetHealth.UNAVAILABLE;
  }

  /** Hands the target's effective health to the group if it changed; {@code then} runs on its shard afterwards. */
  private void apply(TargetState s, Runnable then) {
    TargetHealth h = effective(s);
    if (h.equals(s.applied)) {
      if (then != null) {
        then.run();
      }
      return;
    }
    s.applied = h;
    updates.add(new Update(s, h, then));
    if (flushing.compareAndSet(false, true)) {
      shards[0].context.executeBlocking(() -> {
        flush();
        return null;
      }, true);
    }
  }

  private void flush() {
    for (;;) {
      drainUpdates();
      flushing.set(false);
      if (updates.isEmpty() || !flushing.compareAndSet(false, true)) {
        return;
      }
    }
  }

  /**
   * Hands every queued value to the group in batches (one snapshot rebuild per batch, not per target); a target that
   * appears twice starts a new batch, so that each of its transitions is its own event.
   */
  private void drainUpdates() {
    Map<String, TargetHealth> batch = new LinkedHashMap<>();
    List<Update> done = new ArrayList<>();
    Update u;
    while ((u = updates.poll()) != null) {
      String id = u.state.id;
      if (batch.containsKey(id)) {
        applyBatch(batch, done);
      }
      if (group.target(id) == u.state.rt) {
        batch.put(id, u.health);
      }
      done.add(u);
    }
    applyBatch(batch, done);
  }

  private void applyBatch(Map<String, TargetHealth> batch, List<Update> done) {
    if (!batch.isEmpty()) {
      try {
        group.updateHealth(batch);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "target group " + group.name() + ": health update failed", e);
      }
      batch.clear();
    }
    Map<Shard, List<Runnable>> continuations = new IdentityHashMap<>();
    for (Update u : done) {
      if (u.then != null) {
        continuations.computeIfAbsent(u.state.shard, k -> new ArrayList<>()).add(u.then);
      }
    }
    done.clear();
    continuations.forEach((shard, list) -> shard.context.runOnContext(v -> {
      for (Runnable r : list) {
        r.run();
      }
    }));
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Timers: every timer goes through here so that close() can prove none is left. Called on a shard's context, the
  // timer fires on that context.

  /**
   * Runs {@code task} on the shard at {@code dueNanos} (or within the next millisecond if that is past) and returns
   * the time it is planned for. Tasks due in the same millisecond share one Vert.x timer: with thousands of targets
   * this turns two timers per check (its start, its deadline) into at most one per millisecond. Tasks are not
   * cancelled; each checks on its own whether it is still wanted.
   */
  private long at(Shard shard, long dueNanos, Runnable task) {
    long nowMs = Math.floorDiv(System.nanoTime(), 1_000_000L);
    long key = Math.max(nowMs + 1, -Math.floorDiv(-dueNanos, 1_000_000L));
    Bucket b = shard.buckets.get(key);
    if (b == null) {
      Bucket created = new Bucket();
      created.timerId = timer(key - nowMs, tid -> {
        shard.buckets.remove(key);
        for (Runnable r : created.tasks) {
          r.run();
        }
      });
      shard.buckets.put(key, created);
      b = created;
    }
    b.tasks.add(task);
    return key * 1_000_000L;
  }

  private long timer(long delayMs, Handler<Long> handler) {
    liveTimers.incrementAndGet();
    return vertx.setTimer(Math.max(1, delayMs), id -> {
      liveTimers.decrementAndGet();
      handler.handle(id);
    });
  }

  private void cancel(long timerId) {
    if (timerId >= 0 && vertx.cancelTimer(timerId)) {
      liveTimers.decrementAndGet();
    }
  }

  // ---------------------------------------------------------------------------------------------------------------

  /** A share of the targets and the event-loop context that owns them. Fields are confined to that context. */
  static final class Shard {
    final Context context;
    final HashMap<String, TargetState> byId = new HashMap<>();
    final HashMap<String, Endpoint> endpoints = new HashMap<>();
    final ArrayDeque<TargetState> waiting = new ArrayDeque<>();
    final HashMap<Long, Bucket> buckets = new HashMap<>();
    volatile int inFlight;

    Shard(Context context) {
      this.context = context;
    }
  }

  /** Per-target state; fields are confined to the shard's context except {@link #sawFailure} and {@link #breaker}. */
  static final class TargetState {
    final Shard shard;
    final RegisteredTarget rt;
    final String id;
    final String host;
    final int port;
    final String hostHeader;
    ActiveHealth machine;
    TargetHealth applied;
    Endpoint endpoint;
    RequestOptions requestOptions;
    long plannedNanos;
    Attempt current;
    boolean stopped;
    // passive
    volatile CircuitBreaker breaker;
    volatile boolean sawFailure;
    boolean ejected;
    TargetHealth ejectionHealth;
    long ejectionTimer = -1;
    int ejections;
    long lastEjectionEndNanos;

    TargetState(Shard shard, RegisteredTarget rt, int port) {
      this.shard = shard;
      this.rt = rt;
      this.id = rt.target().id();
      this.host = rt.target().host();
      this.port = port;
      this.hostHeader = (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
  }

  /** Tasks due in the same millisecond, and the timer that runs them. */
  static final class Bucket {
    final ArrayList<Runnable> tasks = new ArrayList<>(4);
    long timerId;
  }

  /** An address checks go to, and its idle kept-alive connections (one shard's). */
  static final class Endpoint {
    final String key;
    final HttpConnectOptions options;
    final ArrayDeque<Conn> idle = new ArrayDeque<>();
    int users;

    Endpoint(String key, HttpConnectOptions options) {
      this.key = key;
      this.options = options;
    }

    void closeIdle() {
      Conn c;
      while ((c = idle.poll()) != null) {
        c.close();
      }
    }
  }

  /** A connection opened by the checker. */
  static final class Conn {
    final HttpClientConnection connection;
    final Endpoint endpoint;
    boolean closed;

    Conn(HttpClientConnection connection, Endpoint endpoint) {
      this.connection = connection;
      this.endpoint = endpoint;
    }

    void close() {
      if (!closed) {
        closed = true;
        connection.close();
      }
    }
  }

  /** One check in flight. */
  static final class Attempt {
    final TargetState state;
    final long plannedNanos;
    final long startNanos;
    HttpClientRequest request;
    Conn conn;
    boolean done;

    Attempt(TargetState state, long plannedNanos, long startNanos) {
      this.state = state;
      this.plannedNanos = plannedNanos;
      this.startNanos = startNanos;
    }
  }

  /** A health value to hand to the group, and what to run on the target's shard once it is applied. */
  record Update(TargetState state, TargetHealth health, Runnable then) {
  }

  /** Stack-less, shared failures recorded into the circuit breakers (no allocation per request). */
  static final class RequestFailure extends Exception {
    private static final long serialVersionUID = 1L;
    private static final RequestFailure[] BY_OUTCOME = new RequestFailure[RequestOutcome.values().length];

    static {
      for (RequestOutcome o : RequestOutcome.values()) {
        BY_OUTCOME[o.ordinal()] = new RequestFailure(o);
      }
    }

    private RequestFailure(RequestOutcome outcome) {
      super(outcome.name(), null, false, false);
    }

    static RequestFailure of(RequestOutcome outcome) {
      return BY_OUTCOME[outcome.ordinal()];
    }
  }
}
