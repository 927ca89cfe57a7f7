package dev.loadstar.gateway;

import dev.loadstar.gateway.config.ConfigException;
import dev.loadstar.gateway.config.GatewayConfig;
import dev.loadstar.gateway.config.ListenerSpec;
import dev.loadstar.gateway.config.ScalingGroupSpec;
import dev.loadstar.gateway.config.AdminSettings;
import dev.loadstar.gateway.config.TargetGroupSpec;
import dev.loadstar.gateway.config.TargetSpec;

import dev.loadstar.core.Balancer;
import dev.loadstar.core.HealthChangeEvent;
import dev.loadstar.core.RegisteredTarget;
import dev.loadstar.core.Target;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetGroupListener;
import dev.loadstar.core.TargetHealth;
import dev.loadstar.core.discovery.TargetDiscovery;
import dev.loadstar.healthcheck.HealthCheck;
import dev.loadstar.healthcheck.HealthChecker;
import dev.loadstar.core.ExchangeListener;
import dev.loadstar.routing.HttpListener;
import dev.loadstar.routing.RequestStart;
import dev.loadstar.routing.TcpListener;
import dev.loadstar.gateway.admin.AdminModel;
import dev.loadstar.gateway.admin.AdminServer;
import dev.loadstar.gateway.admin.LabControls;
import dev.loadstar.gateway.accesslog.AccessLog;
import dev.loadstar.gateway.internal.accesslog.AccessLogs;
import dev.loadstar.gateway.metrics.GatewayMetrics;
import dev.loadstar.core.time.TimeSource;
import dev.loadstar.scaling.ScalingGroup;
import dev.loadstar.scaling.providers.InProcessProvider;
import dev.loadstar.scaling.providers.ProcessProvider;
import dev.loadstar.scaling.spi.InstanceProvider;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * A running gateway built from a validated {@link GatewayConfig}: target groups with their health checkers and
 * discovery, scaling groups, HTTP and TCP listeners, the metrics registry and the admin server. It is the
 * {@link AdminModel} its admin server reads.
 *
 * <p>{@link #start()} brings everything up in dependency order (groups with their instance, ip and function targets,
 * checkers, discovery (awaiting readiness); the listeners, built but not bound yet; the balancer targets, which name
 * listeners and groups (a loop is refused here too, by core); scaling groups; binding the listeners; admin) and, when a
 * step fails, closes what was started and fails. Function targets are resolved by name in the runtime's
 * {@link FunctionRegistry} ({@link Builder#functions}). {@link #close()}
 * releases everything in reverse order: listeners (no new traffic), admin, scaling groups and the in-process
 * providers they use, discovery, checkers, groups, metrics; {@link #shutdown(Duration)} does the same after letting
 * requests in flight finish. Both are idempotent. The Vert.x instance belongs to the caller.
 */
public final class GatewayRuntime implements AdminModel {

  private static final System.Logger LOG = System.getLogger(GatewayRuntime.class.getName());

  final Vertx vertx;
  /** The configuration running: the one started with, then each reload's. */
  volatile GatewayConfig config;
  final Map<String, TargetGroup> groups = Collections.synchronizedMap(new LinkedHashMap<>());
  final Map<String, HealthCheck> healthChecks = new ConcurrentHashMap<>();
  final List<HealthChecker> checkers = new CopyOnWriteArrayList<>();
  final Map<String, HealthChecker> checkerByGroup = new ConcurrentHashMap<>();
  final List<TargetDiscovery> discoveries = new CopyOnWriteArrayList<>();
  final Map<String, TargetDiscovery> discoveryByGroup = new ConcurrentHashMap<>();
  /** Reloads run one after another. */
  private Future<List<String>> reloads = Future.succeededFuture(List.of());
  private final Map<String, ScalingGroup> scaling = Collections.synchronizedMap(new LinkedHashMap<>());
  private final List<InProcessProvider> inProcess = new CopyOnWriteArrayList<>();
  private final List<InstanceProvider> ownProviders = new CopyOnWriteArrayList<>();
  final Map<String, HttpListener> httpListeners = Collections.synchronizedMap(new LinkedHashMap<>());
  final Map<String, TcpListener> tcpListeners = Collections.synchronizedMap(new LinkedHashMap<>());
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  final GatewayMetrics metrics = new GatewayMetrics(registry);
  final AccessLogs accessLogs;
  volatile AdminServer admin;
  /** Set once every listener is bound (after the first health round): the gateway takes traffic. */
  private volatile boolean serving;
  /** Set when a shutdown or close starts: {@code /ready} answers 503 from then on. */
  volatile boolean stopping;
  private Future<Void> startSteps;
  private Future<Void> startFuture;
  private Future<Void> closeFuture;

  final FunctionRegistry functions;
  private final Duration firstHealthCheckWait;
  ExchangeListener.Factory exchangeListeners = ExchangeListener.Factory.NONE;
  RequestStart requestStart;

  /** How long {@link #start()} waits by default for each group's first health checks before binding listeners. */
  public static final Duration DEFAULT_FIRST_HEALTH_CHECK_WAIT = Duration.ofSeconds(30);

  private GatewayRuntime(Vertx vertx, GatewayConfig config, FunctionRegistry functions, Duration firstHealthCheckWait) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.config = Objects.requireNonNull(config, "config");
    this.functions = Objects.requireNonNull(functions, "functions");
    this.firstHealthCheckWait = Objects.requireNonNull(firstHealthCheckWait, "firstHealthCheckWait");
    this.accessLogs = new AccessLogs(TimeSource.system(vertx));
  }

  /** A runtime for the configuration on {@code vertx} (not started), with the built-in functions. */
  public static GatewayRuntime create(Vertx vertx, GatewayConfig config) {
    return builder(vertx, config).build();
  }

  /** A builder of a runtime for the configuration on {@code vertx}. */
  public static Builder builder(Vertx vertx, GatewayConfig config) {
    return new Builder(vertx, config);
  }

  /** Builds a {@link GatewayRuntime}. */
  public static final class Builder {
    private final Vertx vertx;
    private final GatewayConfig config;
    private FunctionRegistry functions = FunctionRegistry.builtIn();
    private Duration firstHealthCheckWait = DEFAULT_FIRST_HEALTH_CHECK_WAIT;
    private ExchangeListener.Factory exchangeListeners = ExchangeListener.Factory.NONE;
    private RequestStart requestStart;

    private Builder(Vertx vertx, GatewayConfig config) {
      this.vertx = vertx;
      this.config = config;
    }

    /**
     * The functions that function targets ({@code function: <name>}) are resolved in (default: the built-in ones);
     * validate the file with the same registry ({@link GatewayConfig#read(java.nio.file.Path,
     * java.util.function.Function, FunctionRegistry)}).
     */
    public Builder functions(FunctionRegistry functions) {
      this.functions = Objects.requireNonNull(functions, "functions");
      return this;
    }

    /**
     * How long {@link #start()} waits, before binding the listeners, for every target of a group with health checks
     * to get its first verdict (default 30 s; zero binds at once). Past it the listeners bind anyway and a warning
     * names the targets still {@code initial}.
     */
    public Builder firstHealthCheckWait(Duration wait) {
      if (wait == null || wait.isNegative()) {
        throw new IllegalArgumentException("firstHealthCheckWait: " + wait + " (expected: >= 0)");
      }
      this.firstHealthCheckWait = wait;
      return this;
    }

    /**
     * Reports every forwarded request of every HTTP listener and its attempts to the listeners {@code factory} makes
     * (e.g. {@code LoadstarTracing.clientSpans()}: a client span per attempt).
     */
    public Builder exchangeListeners(ExchangeListener.Factory factory) {
      this.exchangeListeners = Objects.requireNonNull(factory, "factory");
      return this;
    }

    /**
     * Tells {@code start} of every request every HTTP listener receives (e.g. {@code LoadstarTracing.serverSpans()}:
     * a server span per request); null for none.
     */
    public Builder requestStart(RequestStart start) {
      this.requestStart = start;
      return this;
    }

    /** The runtime (not started). */
    public GatewayRuntime build() {
      GatewayRuntime rt = new GatewayRuntime(vertx, config, functions, firstHealthCheckWait);
      rt.exchangeListeners = exchangeListeners;
      rt.requestStart = requestStart;
      return rt;
    }
  }

  /** The functions function targets are resolved in. */
  public FunctionRegistry functions() {
    return functions;
  }

  /** The configuration. */
  public GatewayConfig config() {
    return config;
  }

  /** Starts everything; idempotent. On failure, whatever started is closed again. */
  public synchronized Future<Void> start() {
    if (startFuture == null) {
      Future<Void> f;
      try {
        f = startGroups().compose(v -> buildListeners()).compose(v -> registerBalancerTargets())
            .compose(v -> startScaling()).compose(v -> firstHealthRound()).compose(v -> startListeners())
            .andThen(ar -> serving = ar.succeeded()).compose(v -> startAdmin());
      } catch (RuntimeException e) {
        f = Future.failedFuture(e);
      }
      startSteps = f;
      startFuture = f.recover(err -> close().transform(x -> Future.failedFuture(err)));
    }
    return startFuture;
  }

  private Future<Void> startGroups() {
    List<Future<Void>> ready = new ArrayList<>();
    for (TargetGroupSpec spec : config.targetGroups()) {
      TargetGroup g = TargetGroup.create(vertx, spec.config());
      groups.put(spec.name(), g);
      ready.add(startGroupParts(spec, g, List.of()));
    }
    return Future.all(ready).mapEmpty();
  }

  /**
   * Binds the meters of {@code g}, registers the spec's instance, ip and function targets (and {@code extra} ones,
   * with their health: a rebuilt group's) in it, starts its health checker and discovery; completes when discovery is
   * ready (or gave up).
   */
  Future<Void> startGroupParts(TargetGroupSpec spec, TargetGroup g, List<RegisteredTarget> extra) {
    metrics.bindTargetGroup(g);
    List<Target> targets = new ArrayList<>();
    for (TargetSpec t : spec.targets()) {
      if (!t.isBalancer()) {
        targets.add(t.build(functions, n -> null, n -> null));
      }
    }
    for (RegisteredTarget t : extra) {
      if (g.target(t.target().id()) == null && targets.stream().noneMatch(x -> x.id().equals(t.target().id()))) {
        targets.add(t.target());
      }
    }
    if (!targets.isEmpty()) {
      g.register(targets);
    }
    for (RegisteredTarget t : extra) {
      RegisteredTarget now = g.target(t.target().id());
      if (now != null && now.target().address().equals(t.target().address())) {
        g.updateHealth(t.target().id(), t.health());
      }
    }
    startChecker(spec, g);
    return startDiscovery(spec, g);
  }

  void startChecker(TargetGroupSpec spec, TargetGroup g) {
    HealthChecker checker = HealthChecker.start(vertx, g, spec.healthCheck(), spec.outlierDetection());
    checkers.add(checker);
    checkerByGroup.put(spec.name(), checker);
    healthChecks.put(spec.name(), spec.healthCheck());
  }

  Future<Void> startDiscovery(TargetGroupSpec spec, TargetGroup g) {
    if (spec.discovery() == null) {
      return Future.succeededFuture();
    }
    TargetDiscovery d = TargetDiscovery.start(vertx, g, spec.discovery());
    discoveries.add(d);
    discoveryByGroup.put(spec.name(), d);
    return d.whenReady().recover(err -> {
      // not fatal: answers that arrive later are applied; the gateway answers 503 for an empty group meanwhile
      LOG.log(System.Logger.Level.WARNING, "target group " + spec.name() + ": " + err.getMessage());
      return Future.succeededFuture();
    });
  }

  /**
   * Completes once every active target of every group with health checks has left {@code initial} (its first checks
   * decided it healthy or unhealthy), or after {@link Builder#firstHealthCheckWait}: so the first requests after the
   * listeners bind already spread over every healthy target, instead of all landing on the first one checked.
   */
  private Future<Void> firstHealthRound() {
    Promise<Void> all = Promise.promise();
    List<Runnable> unsubscribe = new ArrayList<>();
    List<TargetGroup> watched = new ArrayList<>();
    // targets whose first check failed: still initial, but their first round has decided
    Set<RegisteredTarget> failedFirst = ConcurrentHashMap.newKeySet();
    Runnable check = () -> {
      if (watched.stream().allMatch(g -> firstChecksDecided(g, failedFirst))) {
        all.tryComplete();
      }
    };
    for (TargetGroupSpec spec : config.targetGroups()) {
      if (!spec.config().healthCheckEnabled()) {
        continue;
      }
      TargetGroup g = groups.get(spec.name());
      watched.add(g);
      unsubscribe.add(checkerByGroup.get(spec.name()).addCheckListener((target, failure, active) -> {
        if (failure != null && target.health().state() == TargetHealth.State.INITIAL) {
          failedFirst.add(target);
          check.run();
        }
      }));
      unsubscribe.add(g.addListener(new TargetGroupListener() {
        @Override
        public void onHealthChanged(HealthChangeEvent event) {
          check.run();
        }

        @Override
        public void onTargetDeregistered(TargetGroup group, RegisteredTarget target) {
          check.run();
        }
      }));
    }
    check.run();
    long wait = firstHealthCheckWait.toMillis();
    long timer = all.future().isComplete() || wait == 0 ? -1 : vertx.setTimer(wait, id -> {
      if (!all.future().isComplete()) {
        List<String> pending = new ArrayList<>();
        for (TargetGroup g : watched) {
          for (RegisteredTarget t : g.targets()) {
            if (!decided(t, failedFirst)) {
              pending.add(g.name() + "/" + t.target().id());
            }
          }
        }
        LOG.log(System.Logger.Level.WARNING, "listeners bind before the first health checks of " + pending
            + " decided (waited " + wait + " ms)");
      }
      all.tryComplete();
    });
    if (wait == 0) {
      all.tryComplete();
    }
    return all.future().onComplete(x -> {
      if (timer >= 0) {
        vertx.cancelTimer(timer);
      }
      unsubscribe.forEach(Runnable::run);
    });
  }

  private static boolean firstChecksDecided(TargetGroup g, Set<RegisteredTarget> failedFirst) {
    for (RegisteredTarget t : g.targets()) {
      if (!decided(t, failedFirst)) {
        return false;
      }
    }
    return true;
  }

  /** Whether a target's first checks decided: it left {@code initial}, or a check failed (it stays initial). */
  private static boolean decided(RegisteredTarget t, Set<RegisteredTarget> failedFirst) {
    return !t.isActive() || t.health().state() != TargetHealth.State.INITIAL || failedFirst.contains(t);
  }

  /** Balancer targets hand requests to listeners and groups, so they are registered once the listeners exist. */
  private Future<Void> registerBalancerTargets() {
    for (TargetGroupSpec spec : config.targetGroups()) {
      TargetGroup g = groups.get(spec.name());
      for (TargetSpec t : spec.targets()) {
        if (t.isBalancer()) {
          Target target = t.build(functions, this::balancerListener, groups::get);
          try {
            g.register(target);
          } catch (IllegalArgumentException e) {
            return Future.failedFuture(new IllegalArgumentException("target group " + spec.name() + ": "
                + e.getMessage(), e));
          }
        }
      }
    }
    return Future.succeededFuture();
  }

  Balancer balancerListener(String name) {
    HttpListener h = httpListeners.get(name);
    return h != null ? h : tcpListeners.get(name);
  }

  private Future<Void> startScaling() {
    List<Future<Void>> started = new ArrayList<>();
    for (ScalingGroupSpec spec : config.scalingGroups()) {
      InstanceProvider provider = null;
      List<String> zones = spec.availabilityZones();
      if (spec.launchTemplate().provider().equals(InProcessProvider.NAME)) {
        InProcessProvider p = new InProcessProvider(vertx, zones);
        inProcess.add(p);
        provider = p;
      } else if (!zones.isEmpty() && spec.launchTemplate().provider().equals(ProcessProvider.NAME)) {
        provider = new ProcessProvider(vertx, zones);
        ownProviders.add(provider);
      }
      ScalingGroup g = ScalingGroup.create(vertx, spec.toConfig(groups, provider));
      scaling.put(spec.name(), g);
      metrics.bindScalingGroup(g);
      started.add(g.start());
    }
    return Future.all(started).mapEmpty();
  }

  /** Builds every listener (not bound yet), so balancer targets can name them. */
  private Future<Void> buildListeners() {
    for (ListenerSpec spec : config.listeners()) {
      if (spec.protocol() == ListenerSpec.Protocol.HTTP) {
        httpListeners.put(spec.name(), buildHttp(spec));
      } else {
        tcpListeners.put(spec.name(), buildTcp(spec));
      }
    }
    return Future.succeededFuture();
  }

  /** An HTTP listener of the spec (not bound), its meters and access log bound. */
  HttpListener buildHttp(ListenerSpec spec) {
    HttpListener.Builder b = HttpListener.builder(vertx).config(spec.httpConfig()).rules(spec.rules())
        .targetGroups(groups::get).exchangeListeners(exchangeListeners).requestStart(requestStart);
    AccessLog log = spec.accessLog() == null ? null : accessLogs.acquire(spec.accessLog());
    HttpListener l;
    try {
      l = b.requestLog(log).build();
    } catch (RuntimeException e) {
      if (log != null) {
        accessLogs.release(spec.accessLog());
      }
      throw e;
    }
    metrics.bindHttpListener(spec.name(), l);
    if (log != null) {
      metrics.bindAccessLog(spec.name(), log);
    }
    return l;
  }

  /** A TCP listener of the spec (not bound), its meters bound. */
  TcpListener buildTcp(ListenerSpec spec) {
    TcpListener l = TcpListener.builder(vertx).host(spec.host()).port(spec.port())
        .targetGroup(groups.get(spec.tcpTargetGroup())).idleTimeout(spec.idleTimeout())
        .connectTimeout(spec.connectTimeout()).name(spec.name()).localZone(spec.zone())
        .retryPolicy(spec.retryPolicy()).tls(spec.tcpTls()).maxConnections(spec.tcpMaxConnections()).build();
    metrics.bindTcpListener(spec.name(), l);
    return l;
  }

  private Future<Void> startListeners() {
    List<Future<Void>> started = new ArrayList<>();
    for (ListenerSpec spec : config.listeners()) {
      HttpListener h = httpListeners.get(spec.name());
      if (h != null) {
        started.add(bind(spec, h::start));
      } else {
        started.add(bind(spec, tcpListeners.get(spec.name())::start));
      }
    }
    return Future.all(started).mapEmpty();
  }

  static Future<Void> bind(ListenerSpec spec, Supplier<Future<Void>> start) {
    return start.get().recover(err -> Future.failedFuture(new IllegalStateException("listener " + spec.name()
        + ": cannot bind " + spec.host() + ":" + spec.port() + ": " + err.getMessage(), err)));
  }

  private Future<Void> startAdmin() {
    AdminSettings a = config.admin();
    if (!a.enabled()) {
      return Future.succeededFuture();
    }
    AdminServer s = AdminServer.builder(vertx, this).host(a.host()).port(a.port()).token(a.token())
        .allowedHosts(a.allowedHosts())
        .metrics(registry).build();
    admin = s;
    return s.start().recover(err -> Future.failedFuture(new IllegalStateException("admin API: cannot bind "
        + a.host() + ":" + a.port() + ": " + err.getMessage(), err)));
  }

  /** The admin server, or null when it is disabled (or not started yet). */
  public AdminServer admin() {
    return admin;
  }

  /** The metrics registry served at {@code /metrics}. */
  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** The bound port of the named listener, or -1. */
  public int listenerPort(String name) {
    HttpListener h = httpListeners.get(name);
    if (h != null) {
      return h.actualPort();
    }
    TcpListener t = tcpListeners.get(name);
    return t == null ? -1 : t.actualPort();
  }

  /** The named HTTP listener, or null. */
  public HttpListener httpListener(String name) {
    return httpListeners.get(name);
  }

  @Override
  public Map<String, TargetGroup> targetGroups() {
    synchronized (groups) {
      return Collections.unmodifiableMap(new LinkedHashMap<>(groups));
    }
  }

  @Override
  public HealthCheck healthCheck(String targetGroup) {
    HealthCheck hc = healthChecks.get(targetGroup);
    return hc == null ? HealthCheck.defaults() : hc;
  }

  @Override
  public List<ListenerInfo> listeners() {
    List<ListenerInfo> out = new ArrayList<>();
    for (ListenerSpec spec : config.listeners()) {
      HttpListener h = httpListeners.get(spec.name());
      if (h != null) {
        out.add(new ListenerInfo(spec.name(), spec.albProtocol(), spec.host(), h.actualPort(), h.rules(), null));
      }
      TcpListener t = tcpListeners.get(spec.name());
      if (t != null) {
        out.add(new ListenerInfo(spec.name(), spec.albProtocol(), spec.host(), t.actualPort(), null, spec.tcpTargetGroup()));
      }
    }
    return out;
  }

  @Override
  public Map<String, ScalingGroup> scalingGroups() {
    synchronized (scaling) {
      return Collections.unmodifiableMap(new LinkedHashMap<>(scaling));
    }
  }

  /**
   * Reads the configuration file again (with the environment and functions it was read with) and applies it; see
   * {@link #reload(GatewayConfig)}. An invalid file changes nothing: the future fails with a {@link ConfigException}
   * listing every error, which is also logged and published on the admin event stream ({@code config-reload}).
   */
  @Override
  public Future<List<String>> reload() {
    GatewayConfig current = config;
    return vertx.executeBlocking(current::reread).compose(r -> r.errors().isEmpty() ? reload(r.config())
        : reported(Future.failedFuture(new ConfigException(r.errors()))));
  }

  /**
   * Applies a new configuration without a restart, changing only what differs (listeners' rules swapped atomically;
   * groups, health checks, targets and listeners added, updated or removed; see docs/configuration.md, "Reload").
   * Completes with the changes made; fails, changing nothing, with a {@link ConfigException} when the new
   * configuration changes what a reload cannot ({@code admin}, {@code zone}, {@code stickinessSecrets},
   * {@code scalingGroups}), or when a new listener cannot bind. Reloads run one after another.
   */
  public synchronized Future<List<String>> reload(GatewayConfig next) {
    Objects.requireNonNull(next, "next");
    return change(current -> new GatewayConfig.Result(next, List.of()));
  }

  /** Applies an edit of the running configuration (the admin API's changes), after the reloads before it. */
  @Override
  public synchronized Future<List<String>> change(java.util.function.Function<GatewayConfig,
      GatewayConfig.Result> edit) {
    Future<List<String>> f = reloads.transform(previous -> {
      if (stopping || !serving) {
        return Future.failedFuture(new IllegalStateException("the gateway is " + (stopping ? "stopping" : "starting")
            + ": nothing was changed"));
      }
      GatewayConfig.Result r;
      try {
        r = edit.apply(config);
      } catch (RuntimeException e) {
        return Future.failedFuture(e);
      }
      if (!r.errors().isEmpty()) {
        return Future.failedFuture(new ConfigException(r.errors()));
      }
      return Reload.apply(this, r.config());
    });
    reloads = f;
    return reported(f);
  }

  /** Logs the outcome of a reload or change and publishes it on the admin event stream. */
  private Future<List<String>> reported(Future<List<String>> f) {
    return f.andThen(ar -> {
      io.vertx.core.json.JsonObject event = new io.vertx.core.json.JsonObject().put("source", config.source());
      if (ar.succeeded()) {
        LOG.log(System.Logger.Level.INFO, "configuration applied: " + (ar.result().isEmpty() ? "no changes"
            : String.join("; ", ar.result())));
        event.put("result", "applied").put("changes", new io.vertx.core.json.JsonArray(ar.result()));
      } else if (ar.cause() instanceof ConfigException e) {
        LOG.log(System.Logger.Level.WARNING, "configuration not applied, nothing changed: " + e.getMessage());
        io.vertx.core.json.JsonArray errors = new io.vertx.core.json.JsonArray();
        e.errors().forEach(x -> errors.add(x.toString()));
        event.put("result", "rejected").put("errors", errors);
      } else {
        LOG.log(System.Logger.Level.WARNING, "configuration not applied: " + ar.cause());
        event.put("result", "failed").put("errors", new io.vertx.core.json.JsonArray().add(String.valueOf(
            ar.cause().getMessage())));
      }
      AdminServer a = admin;
      if (a != null) {
        a.modelChanged();
        a.publish("config-reload", event);
      }
    });
  }

  /**
   * Lab controls when a scaling group runs {@code in-process} instances: their web servers can be stopped and
   * started (the seed's {@code service httpd stop}).
   */
  @Override
  public Optional<LabControls> lab() {
    if (inProcess.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new LabControls() {
      @Override
      public Future<Void> stopWebServer(String instanceId) {
        InProcessProvider p = owner(instanceId);
        return p == null ? unknown(instanceId) : p.stopWebServer(instanceId);
      }

      @Override
      public Future<Void> startWebServer(String instanceId) {
        InProcessProvider p = owner(instanceId);
        return p == null ? unknown(instanceId) : p.startWebServer(instanceId);
      }
    });
  }

  private InProcessProvider owner(String instanceId) {
    for (InProcessProvider p : inProcess) {
      if (p.isRunning(instanceId)) {
        return p;
      }
    }
    return null;
  }

  private static Future<Void> unknown(String instanceId) {
    return Future.failedFuture(new NoSuchElementException("instance \"" + instanceId
        + "\" is not a running in-process instance of this gateway"));
  }

  /**
   * {@code null} while the gateway takes traffic (every listener bound, each group's first health round decided);
   * {@code "starting"} before, {@code "stopping"} once {@link #shutdown} or {@link #close} began.
   */
  @Override
  public String notReadyReason() {
    return stopping ? "stopping" : serving ? null : "starting";
  }

  /**
   * Closes everything in reverse order of start, at once: requests in flight are cut (see {@link #shutdown} to let
   * them finish); idempotent. A start in progress completes (or fails) first, then everything it created is closed.
   */
  public Future<Void> close() {
    return shutdown(Duration.ZERO);
  }

  /**
   * Stops gracefully: {@code /ready} answers 503 at once, the listeners stop accepting connections at once and let
   * the requests in flight finish for up to {@code grace} (HTTP listeners; TCP listeners close their connections),
   * then everything is closed as {@link #close()} does (admin API, scaling groups, discovery, checkers, groups).
   * Completes when everything is closed; later calls (and {@link #close()}) return the same future.
   */
  public synchronized Future<Void> shutdown(Duration grace) {
    Objects.requireNonNull(grace, "grace");
    if (closeFuture != null) {
      return closeFuture;
    }
    stopping = true;
    // a start in progress finishes its current steps first, so nothing it creates afterwards is left running
    Future<Void> f = startSteps == null ? Future.succeededFuture()
        : startSteps.transform(ar -> Future.succeededFuture());
    f = step(f, () -> all(new ArrayList<>(httpListeners.values()).stream().map(l -> l.shutdown(grace)).toList(),
        new ArrayList<>(tcpListeners.values()).stream().map(TcpListener::close).toList()));
    // what the listeners logged is written out (bounded: an output that stays blocked does not hold the shutdown)
    f = step(f, () -> Future.fromCompletionStage(accessLogs.closeAll(), vertx.getOrCreateContext()));
    f = step(f, () -> {
      AdminServer a = admin;
      return a == null ? Future.succeededFuture() : a.close();
    });
    f = step(f, () -> all(new ArrayList<>(scaling.values()).stream().map(ScalingGroup::close).toList()));
    f = step(f, () -> all(inProcess.stream().map(InProcessProvider::close).toList(),
        ownProviders.stream().map(InstanceProvider::close).toList()));
    f = step(f, () -> all(discoveries.stream().map(TargetDiscovery::close).toList()));
    f = step(f, () -> all(checkers.stream().map(HealthChecker::close).toList()));
    f = step(f, () -> all(new ArrayList<>(groups.values()).stream().map(TargetGroup::close).toList()));
    closeFuture = f.andThen(ar -> {
      metrics.close();
      registry.close();
    });
    return closeFuture;
  }

  private static Future<Void> step(Future<Void> previous, Supplier<Future<Void>> next) {
    return previous.transform(ar -> {
      try {
        return next.get();
      } catch (RuntimeException e) {
        return Future.failedFuture(e);
      }
    }).transform(ar -> {
      if (ar.failed()) {
        LOG.log(System.Logger.Level.WARNING, "closing: " + ar.cause());
      }
      return Future.succeededFuture();
    });
  }

  @SafeVarargs
  private static Future<Void> all(List<Future<Void>>... lists) {
    List<Future<Void>> futures = new ArrayList<>();
    for (List<Future<Void>> l : lists) {
      futures.addAll(l);
    }
    return Future.join(futures).mapEmpty();
  }
}
