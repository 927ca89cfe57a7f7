package dev.loadstar.gateway.admin;

import dev.loadstar.core.HealthChangeEvent;
import dev.loadstar.core.RegisteredTarget;
import dev.loadstar.core.Target;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetGroupListener;
import dev.loadstar.core.config.Checks;
import dev.loadstar.gateway.internal.admin.AdminGuards;
import dev.loadstar.gateway.internal.admin.AdminJson;
import dev.loadstar.gateway.internal.admin.AdminRoutes;
import dev.loadstar.gateway.internal.admin.EventHub;
import dev.loadstar.gateway.internal.admin.TargetStats;
import dev.loadstar.healthcheck.DescribeTargetHealth;
import dev.loadstar.scaling.Instance;
import dev.loadstar.scaling.InstanceState;
import dev.loadstar.scaling.ScalingActivity;
import dev.loadstar.scaling.ScalingGroup;
import dev.loadstar.scaling.ScalingGroupListener;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The gateway's console: a small HTTP API over an {@link AdminModel}, the Server-Sent Events stream of what
 * happens, and the Prometheus metrics, served by a vertx-web Router. When a token is set, every read of state and
 * every change (register or deregister a target, set a desired capacity, lab controls) needs
 * {@code Authorization: Bearer <token>} (401 without one, 403 with a wrong one); a browser may present the session
 * cookie {@code POST /api/session} sets instead, for reads. Secrets (launch-template {@code env.*} values, anything
 * named like a password, token or key) read as {@code "***"}. It binds 127.0.0.1 by default and refuses a
 * non-loopback address without a token; an idle connection is closed after {@link Builder#idleTimeout}. Errors are
 * JSON: {@code {"error": "TargetGroupNotFound", "message": "..."}}, and a 500 never carries an exception's text.
 *
 * <p>Endpoints (docs/architecture.md, "Admin API and metrics", has the details):
 * <pre>
 * GET    /api                                          index of endpoints
 * GET    /api/target-groups                            every group: attributes, health check, counts
 * GET    /api/target-groups/{name}                     one group
 * GET    /api/target-groups/{name}/health              describe-target-health
 * POST   /api/target-groups/{name}/targets             register {"id","host","port"[,"weight","zone"]}
 * DELETE /api/target-groups/{name}/targets/{id}        deregister (the target drains)
 * GET    /api/listeners                                listeners with their rules in priority order
 * GET    /api/listeners/{name}/rules                   one listener's rules
 * GET    /api/scaling-groups                           every scaling group with its instances
 * GET    /api/scaling-groups/{name}                    one scaling group
 * GET    /api/scaling-groups/{name}/activities         activity history, newest first
 * PUT    /api/scaling-groups/{name}/desired-capacity   {"desiredCapacity": n}
 * PUT    /api/scaling-groups/{name}/health-check-type  {"healthCheckType": "EC2" | "ELB"}
 * POST   /api/lab/instances/{id}/stop-web-server       lab only (409 without a lab)
 * POST   /api/lab/instances/{id}/start-web-server      lab only
 * POST   /api/session                                  with the token: sets the dashboard's session cookie
 * DELETE /api/session                                  clears it
 * GET    /api/target-groups/{name}/stats               per-target requests/s, in flight, p99 latency, pinned sessions
 * GET    /api/stats                                    the same for every group ({@code ?history=true}: 180 s of requests/s)
 * GET    /api/events                                   Server-Sent Events ({@code ?lastEventId=0} replays what is kept)
 * GET    /metrics                                      Prometheus text format
 * GET    /                                             the dashboard (index.html, dashboard.css, dashboard.js)
 * </pre>
 */
public final class AdminServer {

  /** The default idle timeout of a connection, in seconds. */
  public static final int DEFAULT_IDLE_TIMEOUT_SECONDS = 60;
  private static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(DEFAULT_IDLE_TIMEOUT_SECONDS);

  /** Largest accepted request body; a larger one is refused with 413 while it streams in. */
  public static final int MAX_BODY_BYTES = AdminRoutes.MAX_BODY_BYTES;

  private final Vertx vertx;
  private final AdminModel model;
  private final String host;
  private final int port;
  private final String token;
  private final Duration idleTimeout;
  private final PrometheusMeterRegistry metrics;
  private final int eventBuffer;
  private final int maxSubscribers;
  private final long heartbeatMs;
  private final List<String> allowedHosts;
  private final List<Runnable> unsubscribes = new CopyOnWriteArrayList<>();
  private volatile HttpServer server;
  private volatile EventHub events;
  private volatile TargetStats stats;
  /** The groups the event stream and the statistics follow (to tell whether a model change touched them). */
  private java.util.Map<String, TargetGroup> subscribedGroups;
  private java.util.Map<String, ScalingGroup> subscribedScalingGroups;
  private volatile long statsTimer = -1;
  private Future<Void> startFuture;
  private Future<Void> closeFuture;

  private AdminServer(Builder b) {
    this.vertx = b.vertx;
    this.model = b.model;
    this.host = b.host;
    this.port = b.port;
    this.token = b.token;
    this.metrics = b.metrics;
    this.eventBuffer = b.eventBuffer;
    this.maxSubscribers = b.maxSubscribers;
    this.heartbeatMs = b.heartbeatMs;
    this.allowedHosts = List.copyOf(b.allowedHosts);
    this.idleTimeout = b.idleTimeout;
  }

  /** A builder for an admin server over {@code model}. */
  public static Builder builder(Vertx vertx, AdminModel model) {
    return new Builder(vertx, model);
  }

  /** Whether a bind address is a loopback address ({@code 127.x}, {@code ::1}, {@code localhost}). */
  public static boolean isLoopback(String host) {
    return AdminGuards.isLoopback(host);
  }

  /** Binds the port and subscribes to the model's groups for the event stream; idempotent. */
  public synchronized Future<Void> start() {
    if (startFuture != null) {
      return startFuture;
    }
    Context ctx = vertx.getOrCreateContext();
    EventHub hub = new EventHub(vertx, ctx, eventBuffer, maxSubscribers, 64 * 1024, heartbeatMs);
    this.events = hub;
    subscribe(hub);
    TargetStats ts = new TargetStats(model.targetGroups());
    this.stats = ts;
    ctx.runOnContext(v -> {
      synchronized (this) {
        if (closeFuture == null) {
          statsTimer = vertx.setPeriodic(1000, id -> {
            TargetStats current = stats;
            if (current != null) {
              current.tick();
            }
          });
        }
      }
    });
    Router router = AdminRoutes.router(vertx, new AdminRoutes.Sources(model, new AdminGuards(host, allowedHosts,
        token), metrics, () -> events, () -> stats, this::publish));
    // HTTP/1.1 only: no h2c, whose requests carry :authority instead of Host and may send a body without a length
    HttpServer s = vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(port)
            .setHttp2ClearTextEnabled(false)
            .setIdleTimeout((int) idleTimeout.toMillis()).setIdleTimeoutUnit(TimeUnit.MILLISECONDS))
        .requestHandler(router);
    startFuture = s.listen().map(bound -> {
      server = bound;
      return null;
    });
    return startFuture;
  }

  /**
   * The model's groups or scaling groups changed (a reload added, rebuilt or removed some): the event stream and the
   * per-target statistics follow the current ones (statistics of the groups start afresh).
   */
  public synchronized void modelChanged() {
    EventHub hub = events;
    if (hub == null || closeFuture != null) {
      return;
    }
    java.util.Map<String, TargetGroup> groups = model.targetGroups();
    java.util.Map<String, ScalingGroup> scalingGroups = model.scalingGroups();
    if (sameGroups(groups, subscribedGroups) && sameGroups(scalingGroups, subscribedScalingGroups)) {
      return;
    }
    unsubscribes.forEach(Runnable::run);
    unsubscribes.clear();
    subscribe(hub);
    TargetStats old = stats;
    stats = new TargetStats(model.targetGroups());
    if (old != null) {
      old.close();
    }
  }

  private static boolean sameGroups(java.util.Map<String, ?> a, java.util.Map<String, ?> b) {
    if (b == null || a.size() != b.size()) {
      return false;
    }
    for (java.util.Map.Entry<String, ?> e : a.entrySet()) {
      if (b.get(e.getKey()) != e.getValue()) {
        return false;
      }
    }
    return true;
  }

  /** The bound port (after {@link #start()}), or -1. */
  public int actualPort() {
    HttpServer s = server;
    return s == null ? -1 : s.actualPort();
  }

  /** The bound address. */
  public String host() {
    return host;
  }

  /** Whether changes need a bearer token. */
  public boolean tokenRequired() {
    return token != null;
  }

  /** Publishes an event on the stream (e.g. a lab's own events); any thread. */
  public void publish(String type, JsonObject data) {
    EventHub hub = events;
    if (hub != null) {
      hub.publish(type, data);
    }
  }

  /** Event streams currently open. */
  public int eventSubscribers() {
    EventHub hub = events;
    return hub == null ? 0 : hub.subscriberCount();
  }

  /** Event streams disconnected because their client did not keep up. */
  public long droppedEventSubscribers() {
    EventHub hub = events;
    return hub == null ? 0 : hub.droppedSubscribers();
  }

  /** Unsubscribes from the groups, ends the event streams and closes the server; idempotent. */
  public synchronized Future<Void> close() {
    if (closeFuture == null) {
      unsubscribes.forEach(Runnable::run);
      unsubscribes.clear();
      if (statsTimer >= 0) {
        vertx.cancelTimer(statsTimer);
      }
      TargetStats ts = stats;
      if (ts != null) {
        ts.close();
      }
      EventHub hub = events;
      Future<Void> hubClosed = hub == null ? Future.succeededFuture() : hub.close();
      Future<Void> started = startFuture == null ? Future.succeededFuture() : startFuture;
      closeFuture = hubClosed.eventually(() -> started.transform(ar -> {
        HttpServer s = server;
        return s == null ? Future.succeededFuture() : s.close();
      })).transform(ar -> Future.succeededFuture());
    }
    return closeFuture;
  }

  // ---- events ----------------------------------------------------------------------------------------------------

  private void subscribe(EventHub hub) {
    subscribedGroups = model.targetGroups();
    subscribedScalingGroups = model.scalingGroups();
    for (TargetGroup g : model.targetGroups().values()) {
      unsubscribes.add(g.addListener(new TargetGroupListener() {
        @Override
        public void onTargetRegistered(TargetGroup group, RegisteredTarget target) {
          hub.publish("target-registered", target(group, target.target()));
        }

        @Override
        public void onTargetDraining(TargetGroup group, RegisteredTarget target) {
          hub.publish("target-draining", target(group, target.target()));
        }

        @Override
        public void onTargetDeregistered(TargetGroup group, RegisteredTarget target) {
          hub.publish("target-deregistered", target(group, target.target()));
        }

        @Override
        public void onHealthChanged(HealthChangeEvent e) {
          hub.publish("target-health", target(e.group(), e.target())
              .put("previous", DescribeTargetHealth.health(e.previous()))
              .put("current", DescribeTargetHealth.health(e.current())));
        }

        @Override
        public void onFailOpenChanged(TargetGroup group, boolean failingOpen) {
          hub.publish("fail-open", new JsonObject().put("targetGroup", group.name()).put("failingOpen", failingOpen));
        }
      }));
    }
    for (ScalingGroup g : model.scalingGroups().values()) {
      unsubscribes.add(g.addListener(new ScalingGroupListener() {
        @Override
        public void onActivity(ScalingActivity activity) {
          hub.publish("scaling-activity", AdminJson.activity(activity));
        }

        @Override
        public void onInstanceStateChanged(Instance instance, InstanceState previous) {
          hub.publish("instance-state", new JsonObject().put("autoScalingGroup", g.name())
              .put("instanceId", instance.id()).put("previous", previous == null ? null : previous.apiName())
              .put("current", instance.state().apiName()));
        }

        @Override
        public void onDesiredCapacityChanged(int previous, int current, String cause) {
          hub.publish("desired-capacity", new JsonObject().put("autoScalingGroup", g.name())
              .put("previous", previous).put("current", current).put("cause", cause));
        }
      }));
    }
  }

  private static JsonObject target(TargetGroup g, Target t) {
    return new JsonObject().put("targetGroup", g.name()).put("targetId", t.id()).put("host", t.host())
        .put("port", t.port());
  }

  /** Builds an {@link AdminServer}. */
  public static final class Builder {
    private final Vertx vertx;
    private final AdminModel model;
    private String host = "127.0.0.1";
    private int port = 9901;
    private String token;
    private PrometheusMeterRegistry metrics;
    private int eventBuffer = 256;
    private int maxSubscribers = 32;
    private long heartbeatMs = 15_000;
    private List<String> allowedHosts = List.of();
    private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;

    private Builder(Vertx vertx, AdminModel model) {
      this.vertx = Objects.requireNonNull(vertx, "vertx");
      this.model = Objects.requireNonNull(model, "model");
    }

    /** Sets the bind address (default 127.0.0.1). */
    public Builder host(String host) {
      this.host = Objects.requireNonNull(host, "host");
      return this;
    }

    /** Sets the port (default 9901; 0 picks a free port). */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /** Sets the bearer token required for changes (null or empty for none). */
    public Builder token(String token) {
      this.token = token == null || token.isEmpty() ? null : token;
      return this;
    }

    /** Serves this registry at {@code /metrics}. */
    public Builder metrics(PrometheusMeterRegistry metrics) {
      this.metrics = metrics;
      return this;
    }

    /** Sets how many recent events are kept for clients reconnecting with {@code Last-Event-ID} (default 256). */
    public Builder eventBuffer(int events) {
      this.eventBuffer = events;
      return this;
    }

    /** Sets how many event streams may be open at once (default 32). */
    public Builder maxEventSubscribers(int max) {
      this.maxSubscribers = max;
      return this;
    }

    /** Sets the interval of the keep-alive comment on event streams (default 15 s). */
    public Builder heartbeatMillis(long ms) {
      this.heartbeatMs = ms;
      return this;
    }

    /**
     * Host names (besides loopback names and the bind address) that requests may address this server by, e.g. the
     * DNS name of a host that binds 0.0.0.0. Any other Host header is refused (403), which defeats DNS rebinding.
     */
    public Builder allowedHosts(List<String> names) {
      this.allowedHosts = List.copyOf(Objects.requireNonNull(names, "names"));
      return this;
    }

    /**
     * Sets how long a connection may stay without reading or writing before the server closes it (default
     * {@value #DEFAULT_IDLE_TIMEOUT_SECONDS} s); it must exceed the event stream's heartbeat interval.
     */
    public Builder idleTimeout(Duration timeout) {
      this.idleTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /** Validates the settings and builds the server (not started). */
    public AdminServer build() {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("admin.port: " + port + " (expected: 0-65535)");
      }
      if (token == null && !isLoopback(host)) {
        throw new IllegalArgumentException("admin.host: \"" + host + "\" (expected: a loopback address (127.0.0.1, "
            + "::1, localhost) unless admin.token is set: the admin API changes the gateway)");
      }
      if (eventBuffer < 1 || eventBuffer > 100_000) {
        throw new IllegalArgumentException("eventBuffer: " + eventBuffer + " (expected: 1-100000)");
      }
      if (maxSubscribers < 1 || maxSubscribers > 10_000) {
        throw new IllegalArgumentException("maxEventSubscribers: " + maxSubscribers + " (expected: 1-10000)");
      }
      if (heartbeatMs < 10) {
        throw new IllegalArgumentException("heartbeatMillis: " + heartbeatMs + " (expected: >= 10)");
      }
      if (idleTimeout.toMillis() <= heartbeatMs || idleTimeout.toMillis() > Integer.MAX_VALUE) {
        throw Checks.invalid("idleTimeout", idleTimeout, "longer than the event stream heartbeat (" + heartbeatMs
            + " ms), at most " + Integer.MAX_VALUE + " ms");
      }
      return new AdminServer(this);
    }
  }
}
