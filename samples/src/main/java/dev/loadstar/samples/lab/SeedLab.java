package dev.loadstar.samples.lab;

import dev.loadstar.core.HealthChangeEvent;
import dev.loadstar.core.RegisteredTarget;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetGroupListener;
import dev.loadstar.core.TargetHealth;
import dev.loadstar.healthcheck.CheckListener;
import dev.loadstar.healthcheck.HealthChecker;
import dev.loadstar.routing.Action;
import dev.loadstar.routing.HttpListener;
import dev.loadstar.routing.ListenerConfig;
import dev.loadstar.routing.RuleSet;
import dev.loadstar.gateway.admin.AdminServer;
import dev.loadstar.gateway.metrics.GatewayMetrics;
import dev.loadstar.scaling.HealthCheckType;
import dev.loadstar.scaling.Instance;
import dev.loadstar.scaling.InstanceState;
import dev.loadstar.scaling.LaunchTemplate;
import dev.loadstar.scaling.ScalingActivity;
import dev.loadstar.scaling.ScalingGroup;
import dev.loadstar.scaling.ScalingGroupConfig;
import dev.loadstar.scaling.ScalingGroupListener;
import dev.loadstar.scaling.providers.InProcessProvider;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The seed's lab, assembled from Loadstar's modules and reachable as one object: an Auto Scaling group
 * ({@value #SCALING_GROUP}, 2 in-process instances, each serving a page with its instance id) attached to a target
 * group ({@value #TARGET_GROUP}) whose health the healthcheck module drives, behind a gateway ({@value #LOAD_BALANCER},
 * routing's {@link HttpListener}) whose default action forwards to the target group.
 *
 * <p>Everything that happens is recorded on the {@link Timeline}. Every method may be called from any thread except a
 * Vert.x event loop where noted; the lab never blocks an event loop itself.
 */
public final class SeedLab {

  /** The target group's name, as in the seed. */
  public static final String TARGET_GROUP = "MyWebTargetGroup";
  /** The scaling group's name. */
  public static final String SCALING_GROUP = "MyASG";
  /** The gateway's name, as the seed's load balancer. */
  public static final String LOAD_BALANCER = "MyWebALB";
  /** The scaling group's maximum size. */
  public static final int MAX_SIZE = 4;

  /** What the lab knows about one target's active checks (updated on the checker's context). */
  private static final class CheckStats {
    volatile int consecutiveFailures;
    volatile int totalFailures;
    volatile int totalChecks;
    volatile TargetHealth.State activeState;
    volatile Integer failuresWhenUnhealthy;
    volatile int unhealthyTransitions;
  }

  private final Vertx vertx;
  private final LabSettings settings;
  private final Timeline timeline;
  private final InProcessProvider provider;
  private final TargetGroup targetGroup;
  private final HealthChecker healthChecker;
  private final RuleSet ruleSet;
  private final HttpListener listener;
  private final ScalingGroup scalingGroup;
  private final Map<String, CheckStats> checks = new ConcurrentHashMap<>();
  private final Set<String> activitiesSeen = ConcurrentHashMap.newKeySet();
  private final Set<String> stoppedWebServers = ConcurrentHashMap.newKeySet();
  private volatile AdminServer admin;
  private PrometheusMeterRegistry registry;
  private GatewayMetrics metrics;
  private volatile Future<Void> closing;

  private SeedLab(Vertx vertx, LabSettings settings, Timeline timeline) {
    this.vertx = vertx;
    this.settings = settings;
    this.timeline = timeline;
    this.provider = new InProcessProvider(vertx);
    this.targetGroup = TargetGroup.create(vertx, settings.targetGroupConfig());
    targetGroup.addListener(new TimelineTargetGroupListener());
    this.healthChecker = HealthChecker.start(vertx, targetGroup, settings.healthCheck(), settings.outlierDetection());
    healthChecker.addCheckListener(new TimelineCheckListener());
    this.ruleSet = RuleSet.of(Action.forward(TARGET_GROUP));
    this.listener = HttpListener.builder(vertx)
        .config(ListenerConfig.builder().host(settings.host()).port(settings.port()).build())
        .rules(ruleSet)
        .targetGroups(Map.of(TARGET_GROUP, targetGroup)::get)
        .build();
    this.scalingGroup = ScalingGroup.create(vertx, ScalingGroupConfig.builder(SCALING_GROUP,
            LaunchTemplate.builder(InProcessProvider.NAME)
                .parameter("responseDelayMs", Long.toString(settings.responseDelayMs())).build())
        .provider(provider)
        .capacity(2, 2, MAX_SIZE)
        .healthCheckType(HealthCheckType.PROVIDER)
        .healthCheckInterval(settings.providerCheckInterval())
        .targetGroups(targetGroup)
        .build());
    scalingGroup.addListener(new TimelineScalingListener());
  }

  /**
   * Starts the lab: the gateway listens, then the scaling group launches its 2 instances (they register and turn
   * healthy in the background; the timeline shows it). Fails, with everything released, when the gateway cannot bind.
   */
  public static Future<SeedLab> start(Vertx vertx, LabSettings settings, Timeline timeline) {
    return start(vertx, settings, timeline, null);
  }

  /**
   * Where the lab's admin API and dashboard listen.
   *
   * @param host the bind address (loopback unless a token is set)
   * @param port the port (0 picks a free one)
   * @param token the bearer token changes need, or null for none
   */
  public record AdminOptions(String host, int port, String token) {
  }

  /**
   * As {@link #start(Vertx, LabSettings, Timeline)}, with the admin API and dashboard ({@link #startAdmin}) started
   * after the gateway and before the instances launch, so that its event stream keeps every registration and health
   * transition from the first. {@code admin} null starts none. Fails, with everything released, when a port cannot
   * be bound.
   */
  public static Future<SeedLab> start(Vertx vertx, LabSettings settings, Timeline timeline, AdminOptions admin) {
    Objects.requireNonNull(vertx, "vertx");
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(timeline, "timeline");
    return warmUp(vertx).compose(v -> {
      SeedLab lab = new SeedLab(vertx, settings, timeline);
      timeline.record("lab", "target group " + TARGET_GROUP + ": health checks " + new HealthCheckDescription(settings));
      return lab.startListenerAndGroup(admin);
    });
  }

  private Future<SeedLab> startListenerAndGroup(AdminOptions adminOptions) {
    SeedLab lab = this;
    return lab.listener.start()
        .recover(e -> lab.close().transform(ignored -> Future.failedFuture(new IllegalStateException(
            "cannot listen on " + settings.host() + ":" + settings.port() + ": " + e.getMessage()
                + " (choose another port with --port)", e))))
        .compose(v -> adminOptions == null ? Future.succeededFuture()
            : lab.startAdmin(adminOptions.host(), adminOptions.port(), adminOptions.token())
                .recover(e -> lab.close().transform(ignored -> Future.failedFuture(e))).mapEmpty())
        .compose(v -> {
          timeline.record("gateway", LOAD_BALANCER + " listening on " + lab.gatewayUrl()
              + " (default action: forward to " + TARGET_GROUP + ")");
          timeline.record("asg", SCALING_GROUP + ": min 2, desired 2, max " + MAX_SIZE + ", health check type "
              + describe(HealthCheckType.PROVIDER) + ", launch template in-process (page: <h1>instance id</h1>)");
          return lab.scalingGroup.start();
        })
        .map(v -> lab);
  }

  /**
   * One HTTP round trip on loopback before anything is checked, so that class loading and the first compilation in a
   * cold JVM do not turn the very first health checks into timeouts.
   */
  private static Future<Void> warmUp(Vertx vertx) {
    HttpClient client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false));
    return vertx.createHttpServer().requestHandler(req -> req.response().end("ok")).listen(0, "127.0.0.1")
        .compose(server -> {
          Future<Void> chain = Future.succeededFuture();
          for (int i = 0; i < 3; i++) {
            chain = chain.compose(v -> client.request(HttpMethod.GET, server.actualPort(), "127.0.0.1", "/")
                .compose(req -> req.send()).compose(resp -> resp.body()).mapEmpty());
          }
          return chain.eventually(() -> server.close());
        })
        .eventually(() -> client.close())
        .otherwiseEmpty();
  }

  /** The Vert.x instance everything runs on. */
  public Vertx vertx() {
    return vertx;
  }

  /** The settings the lab was started with. */
  public LabSettings settings() {
    return settings;
  }

  /** The lab's timeline. */
  public Timeline timeline() {
    return timeline;
  }

  /** The in-process provider running the instances (the seed's EC2). */
  public InProcessProvider provider() {
    return provider;
  }

  /** The target group {@value #TARGET_GROUP}. */
  public TargetGroup targetGroup() {
    return targetGroup;
  }

  /** Every target group of the lab (one: {@value #TARGET_GROUP}). */
  public List<TargetGroup> targetGroups() {
    return List.of(targetGroup);
  }

  /** The health checker driving the target group's health. */
  public HealthChecker healthChecker() {
    return healthChecker;
  }

  /** The gateway's rules: the default action forwards to {@value #TARGET_GROUP}. */
  public RuleSet ruleSet() {
    return ruleSet;
  }

  /** The gateway (the seed's ALB). */
  public HttpListener listener() {
    return listener;
  }

  /** The scaling group {@value #SCALING_GROUP}. */
  public ScalingGroup scalingGroup() {
    return scalingGroup;
  }

  /** The gateway's address, e.g. {@code http://127.0.0.1:8080}. */
  public String gatewayUrl() {
    return "http://" + settings.host() + ":" + listener.actualPort();
  }

  /**
   * Starts the admin API and the dashboard over this lab ({@link LabAdminModel}), with the gateway's metrics at
   * {@code /metrics}. {@code port} 0 picks a free port; {@code token} (null for none) guards changes. Closed with the
   * lab. Fails when the port cannot be bound, or when called twice.
   */
  public synchronized Future<AdminServer> startAdmin(String host, int port, String token) {
    if (admin != null || closing != null) {
      return Future.failedFuture(new IllegalStateException("the admin server was already started (or the lab closed)"));
    }
    AdminServer server;
    try {
      registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      metrics = new GatewayMetrics(registry);
      metrics.bindTargetGroup(targetGroup);
      metrics.bindHttpListener(LOAD_BALANCER, listener);
      metrics.bindScalingGroup(scalingGroup);
      server = AdminServer.builder(vertx, new LabAdminModel(this)).host(host).port(port).token(token)
          .metrics(registry).build();
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    admin = server;
    return server.start().transform(ar -> {
      if (ar.failed()) {
        return Future.failedFuture(new IllegalStateException("admin API: cannot listen on " + host + ":" + port + ": "
            + ar.cause().getMessage() + " (choose another port with --admin-port)", ar.cause()));
      }
      timeline.record("admin", "admin API on " + adminUrl() + "api, dashboard on " + adminUrl()
          + (server.tokenRequired() ? " (reads and changes need the bearer token)" : ""));
      return Future.succeededFuture(server);
    });
  }

  /** The admin server, or null when {@link #startAdmin} was not called. */
  public AdminServer admin() {
    return admin;
  }

  /** The dashboard's address, e.g. {@code http://127.0.0.1:9901/}, or null without an admin server. */
  public String adminUrl() {
    AdminServer a = admin;
    return a == null ? null : "http://" + a.host() + ":" + a.actualPort() + "/";
  }

  /** Stops one instance's web server while the instance keeps running (the seed's {@code service httpd stop}). */
  public Future<Void> stopWebServer(String instanceId) {
    return provider.stopWebServer(instanceId).onSuccess(v -> stoppedWebServers.add(instanceId))
        .onSuccess(v -> timeline.record("command",
        "web server of " + instanceId + " stopped (service httpd stop); the instance keeps running"));
  }

  /** Starts a stopped web server again ({@code service httpd start}). */
  public Future<Void> startWebServer(String instanceId) {
    return provider.startWebServer(instanceId).onSuccess(v -> stoppedWebServers.remove(instanceId))
        .onSuccess(v -> timeline.record("command",
        "web server of " + instanceId + " started again (service httpd start)"));
  }

  /** Switches the scaling group's health check type ({@code PROVIDER} = ASG's EC2, {@code LOAD_BALANCER} = ELB). */
  public Future<Void> setHealthCheckType(HealthCheckType type) {
    return scalingGroup.setHealthCheckType(type).onSuccess(v -> timeline.record("command",
        SCALING_GROUP + ": health check type set to " + describe(type)));
  }

  /**
   * Sets the desired capacity; when it is below the minimum size the minimum is lowered with it (the seed's clean-up
   * sets both to 0). Fails with the scaling group's message above the maximum.
   */
  public Future<Void> setDesiredCapacity(int desired) {
    int min = Math.min(scalingGroup.minSize(), desired);
    return scalingGroup.updateCapacity(min, desired, scalingGroup.maxSize()).onSuccess(v -> timeline.record("command",
        SCALING_GROUP + ": min " + min + ", desired " + desired + ", max " + scalingGroup.maxSize()));
  }

  /** The instance whose id is {@code idOrPrefix} or uniquely starts with it; fails with a message otherwise. */
  public String resolveInstance(String idOrPrefix) {
    List<String> matches = new ArrayList<>();
    for (Instance i : scalingGroup.instances()) {
      if (i.id().equals(idOrPrefix)) {
        return i.id();
      }
      if (i.id().startsWith(idOrPrefix)) {
        matches.add(i.id());
      }
    }
    if (matches.size() == 1) {
      return matches.get(0);
    }
    throw new IllegalArgumentException("instanceId: " + idOrPrefix + " (expected: "
        + (matches.isEmpty() ? "one of " + ids() : "a unique prefix; it matches " + matches) + ")");
  }

  private List<String> ids() {
    return scalingGroup.instances().stream().map(Instance::id).toList();
  }

  /** Active checks of the target that failed in a row up to now. */
  public int consecutiveFailedChecks(String targetId) {
    CheckStats s = checks.get(targetId);
    return s == null ? 0 : s.consecutiveFailures;
  }

  /** Every failed active check of the target so far. */
  public int failedChecks(String targetId) {
    CheckStats s = checks.get(targetId);
    return s == null ? 0 : s.totalFailures;
  }

  /** Every active check of the target so far. */
  public int checks(String targetId) {
    CheckStats s = checks.get(targetId);
    return s == null ? 0 : s.totalChecks;
  }

  /**
   * How many consecutive failed checks it took for the active checks to find the target unhealthy the last time they
   * did, or {@code null} when they never did.
   */
  public Integer failedChecksWhenUnhealthy(String targetId) {
    CheckStats s = checks.get(targetId);
    return s == null ? null : s.failuresWhenUnhealthy;
  }

  /** How many times the active checks found the target unhealthy (each time after consecutive failed checks). */
  public int unhealthyTransitions(String targetId) {
    CheckStats s = checks.get(targetId);
    return s == null ? 0 : s.unhealthyTransitions;
  }

  /** The target's health in {@value #TARGET_GROUP}, or {@code unused} when it is not registered. */
  public TargetHealth targetHealth(String targetId) {
    RegisteredTarget t = targetGroup.target(targetId);
    return t == null ? TargetHealth.UNUSED : t.health();
  }

  /** Instances that are {@code InService} and whose target is {@code healthy}. */
  public List<String> inServiceAndHealthy() {
    List<String> out = new ArrayList<>();
    for (Instance i : scalingGroup.instances()) {
      if (i.state() == InstanceState.IN_SERVICE && targetHealth(i.id()).state() == TargetHealth.State.HEALTHY) {
        out.add(i.id());
      }
    }
    return out;
  }

  /** The {@code status} command's answer: capacities, instances with their health, recent activities. */
  public String status() {
    StringBuilder b = new StringBuilder();
    b.append(String.format("%s  health check type %s  min %d  desired %d  max %d%n", SCALING_GROUP,
        describe(scalingGroup.healthCheckType()), scalingGroup.minSize(), scalingGroup.desiredCapacity(),
        scalingGroup.maxSize()));
    List<Instance> instances = scalingGroup.instances();
    if (instances.isEmpty()) {
      b.append("  no instances\n");
    } else {
      b.append(String.format("  %-21s %-12s %-10s %-7s %-11s %s%n", "instance", "lifecycle", "ASG health", "port",
          "web server", TARGET_GROUP + " health"));
      for (Instance i : instances) {
        b.append(String.format("  %-21s %-12s %-10s %-7d %-11s %s%n", i.id(), i.state().apiName(), i.healthStatus(),
            i.port(), provider.isRunning(i.id()) ? (webServerStopped(i.id()) ? "stopped" : "up") : "-",
            targetHealth(i.id())));
      }
    }
    if (scalingGroup.healthCheckType() == HealthCheckType.PROVIDER && instances.stream()
        .anyMatch(i -> targetHealth(i.id()).state() == TargetHealth.State.UNHEALTHY && i.healthy())) {
      b.append("  (health check type PROVIDER: the group asks only whether instances run, not what the target group"
          + " thinks; try health-type elb)\n");
    }
    for (RegisteredTarget t : targetGroup.targets()) {
      if (scalingGroup.instance(t.target().id()) == null) {
        b.append(String.format("  %-21s %s%n", t.target().id(), t.health()));
      }
    }
    b.append(String.format("%s %s  requests %d  forwarded %d  retried %d  502s %d  503s %d%n", LOAD_BALANCER,
        gatewayUrl(), listener.stats().requests(), listener.stats().forwarded(), listener.stats().retries(),
        listener.stats().elbResponses(502), listener.stats().elbResponses(503)));
    List<ScalingActivity> activities = scalingGroup.activities();
    b.append("Recent activities (newest last):\n");
    if (activities.isEmpty()) {
      b.append("  none\n");
    }
    for (ScalingActivity a : activities.subList(Math.max(0, activities.size() - 5), activities.size())) {
      b.append("  ").append(a.status().apiName()).append("  ").append(a.description()).append("\n      ")
          .append(a.cause()).append('\n');
    }
    return b.toString();
  }

  /** Whether the lab stopped this instance's web server (and did not start it again). */
  public boolean webServerStopped(String instanceId) {
    return stoppedWebServers.contains(instanceId);
  }

  /**
   * Stops the admin server, the gateway, the checker and the scaling group, terminates the instances and closes the
   * target group. Idempotent; does not close Vert.x.
   */
  public synchronized Future<Void> close() {
    if (closing == null) {
      AdminServer a = admin;
      Future<Void> adminClosed = a == null ? Future.succeededFuture() : a.close().otherwiseEmpty();
      closing = adminClosed.compose(v -> listener.close().otherwiseEmpty())
          .compose(v -> healthChecker.close().otherwiseEmpty())
          .compose(v -> scalingGroup.close().otherwiseEmpty())
          .compose(v -> provider.close().otherwiseEmpty())
          .compose(v -> targetGroup.close().otherwiseEmpty())
          .andThen(ar -> {
            if (metrics != null) {
              metrics.close();
              registry.close();
            }
          });
    }
    return closing;
  }

  /** {@code PROVIDER (EC2)} or {@code LOAD_BALANCER (ELB)}. */
  static String describe(HealthCheckType type) {
    return type.name() + " (" + type.apiName() + ")";
  }

  private static String health(TargetHealth h) {
    return h.state().apiName() + (h.reason() != null ? " (" + h.reason().code() + ")" : "");
  }

  /** The health check settings in one line. */
  private record HealthCheckDescription(LabSettings s) {
    @Override
    public String toString() {
      return "every " + ms(s.healthCheck().interval()) + " (timeout " + ms(s.healthCheck().timeout())
          + "), unhealthy after " + s.healthCheck().unhealthyThresholdCount() + " failed, healthy after "
          + s.healthCheck().healthyThresholdCount() + " passed; passive: ejected after "
          + s.outlierDetection().consecutiveFailures() + " failed requests in a row";
    }

    private static String ms(Duration d) {
      return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }
  }

  private final class TimelineTargetGroupListener implements TargetGroupListener {
    @Override
    public void onTargetRegistered(TargetGroup group, RegisteredTarget target) {
      timeline.record("target", group.name() + ": registered " + target.target().id() + " ("
          + target.target().address() + "), " + health(target.health()));
    }

    @Override
    public void onTargetDeregistered(TargetGroup group, RegisteredTarget target) {
      timeline.record("target", group.name() + ": " + target.target().id() + " left the group (drained)");
    }

    @Override
    public void onHealthChanged(HealthChangeEvent event) {
      TargetHealth h = event.current();
      timeline.record("health", event.group().name() + "/" + event.target().id() + ": "
          + event.previous().state().apiName() + " -> " + h.state().apiName()
          + (h.reason() != null ? " (" + h.reason().code() + ")" : "")
          + (h.description() != null ? ": " + h.description() : ""));
    }

    @Override
    public void onFailOpenChanged(TargetGroup group, boolean failingOpen) {
      timeline.record("health", group.name() + (failingOpen ? ": failing open (too few healthy targets: routing to"
          + " all of them)" : ": no longer failing open"));
    }
  }

  private final class TimelineCheckListener implements CheckListener {
    @Override
    public void onCheck(RegisteredTarget target, TargetHealth failure, TargetHealth activeHealth) {
      String id = target.target().id();
      CheckStats s = checks.computeIfAbsent(id, k -> new CheckStats());
      TargetHealth.State before = s.activeState;
      s.totalChecks++;
      int threshold = settings.healthCheck().unhealthyThresholdCount();
      if (failure != null) {
        s.consecutiveFailures++;
        s.totalFailures++;
        int n = s.consecutiveFailures;
        String why = failure.reason().code() + ": " + failure.description();
        if (before != TargetHealth.State.UNHEALTHY && activeHealth.state() == TargetHealth.State.UNHEALTHY) {
          s.failuresWhenUnhealthy = n;
          s.unhealthyTransitions++;
          timeline.record("check", id + ": check failed (" + why + "), " + n + " in a row: unhealthy after " + n
              + " failed checks");
        } else if (n <= threshold || n % 10 == 0) {
          timeline.record("check", id + ": check failed (" + why + "), " + n + " in a row"
              + (n > threshold ? " (still failing)" : ""));
        }
      } else {
        if (s.consecutiveFailures > 0 || activeHealth.state() != TargetHealth.State.HEALTHY
            || before == TargetHealth.State.UNHEALTHY) {
          timeline.record("check", id + ": check passed" + (s.consecutiveFailures > 0 ? " after "
              + s.consecutiveFailures + " failed" : "") + ", active state " + activeHealth.state().apiName());
        }
        s.consecutiveFailures = 0;
      }
      s.activeState = activeHealth.state();
    }
  }

  private final class TimelineScalingListener implements ScalingGroupListener {
    @Override
    public void onActivity(ScalingActivity a) {
      boolean first = activitiesSeen.add(a.activityId());
      String kind = a.kind() == ScalingActivity.Kind.LAUNCH ? "launch" : "terminate";
      if (first) {
        timeline.record(kind, a.status().apiName() + ": " + a.description() + "\n" + " ".repeat(23) + "cause: "
            + a.cause());
      } else {
        timeline.record(kind, a.status().apiName() + ": " + a.description()
            + (a.statusMessage() != null ? " (" + a.statusMessage() + ")" : ""));
      }
      if (a.isDone()) {
        activitiesSeen.remove(a.activityId());
      }
    }

    @Override
    public void onInstanceStateChanged(Instance instance, InstanceState previous) {
      timeline.record("instance", instance.id() + ": " + (previous == null ? "new" : previous.apiName()) + " -> "
          + instance.state().apiName());
    }

    @Override
    public void onInstanceUnhealthy(Instance instance, String cause) {
      timeline.record("asg", SCALING_GROUP + " marked " + instance.id() + " Unhealthy: " + cause);
    }

    @Override
    public void onDesiredCapacityChanged(int previous, int current, String cause) {
      timeline.record("asg", SCALING_GROUP + ": desired capacity " + previous + " -> " + current);
    }
  }
}
