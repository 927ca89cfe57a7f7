package dev.loadstar.gateway.admin;

import dev.loadstar.core.HealthChangeEvent;
import dev.loadstar.core.RegisteredTarget;
import dev.loadstar.core.Target;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetGroupListener;
import dev.loadstar.healthcheck.DescribeTargetHealth;
import dev.loadstar.gateway.internal.admin.AdminJson;
import dev.loadstar.gateway.internal.admin.DashboardAssets;
import dev.loadstar.gateway.internal.admin.EventHub;
import dev.loadstar.gateway.internal.admin.TargetStats;
import dev.loadstar.scaling.HealthCheckType;
import dev.loadstar.scaling.Instance;
import dev.loadstar.scaling.InstanceState;
import dev.loadstar.scaling.ScalingActivity;
import dev.loadstar.scaling.ScalingGroup;
import dev.loadstar.scaling.ScalingGroupListener;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * The gateway's console: a small HTTP API over an {@link AdminModel}, the Server-Sent Events stream of what
 * happens, and the Prometheus metrics. Reads are open; anything that changes state (register or deregister a
 * target, set a desired capacity, lab controls) needs {@code Authorization: Bearer <token>} when a token is set
 * (401 without one, 403 with a wrong one). It binds 127.0.0.1 by default and refuses a non-loopback address without a
 * token. Errors are JSON: {@code {"error": "TargetGroupNotFound", "message": "..."}}.
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
 * GET    /api/target-groups/{name}/stats               per-target requests/s, in flight, p99 latency, pinned sessions
 * GET    /api/stats                                    the same for every group ({@code ?history=true}: 180 s of requests/s)
 * GET    /api/events                                   Server-Sent Events ({@code ?lastEventId=0} replays what is kept)
 * GET    /metrics                                      Prometheus text format
 * GET    /                                             the dashboard (index.html, dashboard.css, dashboard.js)
 * </pre>
 */
public final class AdminServer {

  /** Largest accepted request body. */
  public static final int MAX_BODY_BYTES = 64 * 1024;

  private static final System.Logger LOG = System.getLogger(AdminServer.class.getName());

  private final Vertx vertx;
  private final AdminModel model;
  private final String host;
  private final int port;
  private final byte[] token;
  private final PrometheusMeterRegistry metrics;
  private final int eventBuffer;
  private final int maxSubscribers;
  private final long heartbeatMs;
  private final List<String> allowedHosts;
  private final List<Runnable> unsubscribes = new CopyOnWriteArrayList<>();
  private volatile HttpServer server;
  private volatile EventHub events;
  private volatile TargetStats stats;
  private volatile long statsTimer = -1;
  private Future<Void> startFuture;
  private Future<Void> closeFuture;

  private AdminServer(Builder b) {
    this.vertx = b.vertx;
    this.model = b.model;
    this.host = b.host;
    this.port = b.port;
    this.token = b.token == null ? null : b.token.getBytes(StandardCharsets.UTF_8);
    this.metrics = b.metrics;
    this.eventBuffer = b.eventBuffer;
    this.maxSubscribers = b.maxSubscribers;
    this.heartbeatMs = b.heartbeatMs;
    this.allowedHosts = List.copyOf(b.allowedHosts);
  }

  /** A builder for an admin server over {@code model}. */
  public static Builder builder(Vertx vertx, AdminModel model) {
    return new Builder(vertx, model);
  }

  /** Whether a bind address is a loopback address ({@code 127.x}, {@code ::1}, {@code localhost}). */
  public static boolean isLoopback(String host) {
    return host.equals("localhost") || host.startsWith("127.") || host.equals("::1") || host.equals("[::1]")
        || host.equals("0:0:0:0:0:0:0:1");
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
          statsTimer = vertx.setPeriodic(1000, id -> ts.tick());
        }
      }
    });
    HttpServer s = vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(port))
        .requestHandler(this::handleSafely);
    startFuture = s.listen().map(bound -> {
      server = bound;
      return null;
    });
    return startFuture;
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

  // ---- requests --------------------------------------------------------------------------------------------------

  /** An error answer. */
  private static final class ApiError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;
    final String code;

    ApiError(int status, String code, String message) {
      super(message, null, false, false);
      this.status = status;
      this.code = code;
    }
  }

  private void handleSafely(HttpServerRequest req) {
    try {
      handle(req);
    } catch (ApiError e) {
      error(req, e);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.ERROR, "admin API failed on " + req.method() + " " + req.path(), e);
      error(req, new ApiError(500, "InternalError", String.valueOf(e.getMessage())));
    }
  }

  private void handle(HttpServerRequest req) {
    HttpMethod m = req.method();
    boolean read = m == HttpMethod.GET || m == HttpMethod.HEAD;
    checkHost(req);
    if (!read) {
      checkSameOrigin(req);
      authorize(req);
    }
    DashboardAssets.Asset asset = DashboardAssets.get(req.path() == null ? "" : req.path());
    if (asset != null) {
      allow(m, read, "GET");
      asset(req, asset);
      return;
    }
    List<String> seg = segments(req.path());
    if (seg.size() == 1 && seg.get(0).equals("metrics")) {
      allow(m, read, "GET");
      if (metrics == null) {
        throw new ApiError(404, "NotFound", "no metrics registry is configured");
      }
      req.response().putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8").end(metrics.scrape());
      return;
    }
    if (seg.isEmpty() || !seg.get(0).equals("api")) {
      throw notFound(req);
    }
    List<String> s = seg.subList(1, seg.size());
    if (s.isEmpty()) {
      allow(m, read, "GET");
      json(req, 200, index());
      return;
    }
    switch (s.get(0)) {
      case "target-groups":
        targetGroups(req, s, read);
        return;
      case "listeners":
        listeners(req, s, read);
        return;
      case "scaling-groups":
        scalingGroups(req, s, read);
        return;
      case "lab":
        lab(req, s);
        return;
      case "stats":
        if (s.size() == 1) {
          allow(m, read, "GET");
          JsonObject all = stats.json(history(req));
          JsonArray asgs = new JsonArray();
          for (ScalingGroup g : model.scalingGroups().values()) {
            asgs.add(AdminJson.scalingGroup(g));
          }
          json(req, 200, all.put("AutoScalingGroups", asgs));
          return;
        }
        throw notFound(req);
      case "events":
        if (s.size() == 1) {
          allow(m, read, "GET");
          events.subscribe(req);
          return;
        }
        throw notFound(req);
      default:
        throw notFound(req);
    }
  }

  private void targetGroups(HttpServerRequest req, List<String> s, boolean read) {
    HttpMethod m = req.method();
    if (s.size() == 1) {
      allow(m, read, "GET");
      JsonArray all = new JsonArray();
      model.targetGroups().forEach((name, g) -> all.add(AdminJson.targetGroup(g, model.healthCheck(name))));
      json(req, 200, new JsonObject().put("TargetGroups", all));
      return;
    }
    String name = s.get(1);
    TargetGroup g = model.targetGroups().get(name);
    if (g == null) {
      throw new ApiError(404, "TargetGroupNotFound", "target group \"" + name + "\" is not defined (defined: "
          + String.join(", ", model.targetGroups().keySet()) + ")");
    }
    if (s.size() == 2) {
      allow(m, read, "GET");
      json(req, 200, AdminJson.targetGroup(g, model.healthCheck(name)));
      return;
    }
    if (s.size() == 3 && s.get(2).equals("health")) {
      allow(m, read, "GET");
      json(req, 200, AdminJson.describeTargetHealth(g, model.healthCheck(name)));
      return;
    }
    if (s.size() == 3 && s.get(2).equals("stats") && stats.has(name)) {
      allow(m, read, "GET");
      json(req, 200, stats.group(name, history(req)));
      return;
    }
    if (s.size() == 3 && s.get(2).equals("targets")) {
      allow(m, m == HttpMethod.POST, "POST");
      body(req).onSuccess(body -> {
        try {
          Target t = targetFrom(body);
          g.register(t);
          json(req, 200, AdminJson.describeTargetHealth(g, model.healthCheck(name), List.of(t.id())));
        } catch (ApiError e) {
          error(req, e);
        }
      });
      return;
    }
    if (s.size() == 4 && s.get(2).equals("targets")) {
      allow(m, m == HttpMethod.DELETE, "DELETE");
      String id = s.get(3);
      RegisteredTarget t = g.target(id);
      if (t == null || !t.isActive()) {
        throw new ApiError(404, "TargetNotFound", "target \"" + id + "\" is not registered in target group \""
            + name + "\"" + (t != null ? " (it is already draining)" : ""));
      }
      g.deregister(id);
      json(req, 202, AdminJson.describeTargetHealth(g, model.healthCheck(name), List.of(id)));
      return;
    }
    throw notFound(req);
  }

  private static Target targetFrom(JsonObject body) {
    for (String key : body.fieldNames()) {
      if (!List.of("id", "host", "port", "weight", "zone", "metadata").contains(key)) {
        throw new ApiError(400, "ValidationError", key + ": unknown field (expected: id, host, port, weight, zone, "
            + "metadata)");
      }
    }
    String id = string(body, "id");
    String host = string(body, "host");
    Integer port = integer(body, "port");
    if (id == null || host == null || port == null) {
      throw new ApiError(400, "ValidationError", (id == null ? "id" : host == null ? "host" : "port")
          + ": missing (expected: a target {\"id\": ..., \"host\": ..., \"port\": ...})");
    }
    try {
      Target.Builder b = Target.builder(id, host, port);
      Integer weight = integer(body, "weight");
      if (weight != null) {
        b.weight(weight);
      }
      String zone = string(body, "zone");
      if (zone != null) {
        b.zone(zone);
      }
      Object meta = body.getValue("metadata");
      if (meta != null) {
        if (!(meta instanceof JsonObject mo)) {
          throw new ApiError(400, "ValidationError", "metadata: " + meta + " (expected: an object of strings)");
        }
        for (Map.Entry<String, Object> e : mo) {
          b.metadata(e.getKey(), String.valueOf(e.getValue()));
        }
      }
      return b.build();
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new ApiError(400, "ValidationError", e.getMessage());
    }
  }

  private static String string(JsonObject o, String key) {
    Object v = o.getValue(key);
    if (v == null) {
      return null;
    }
    if (!(v instanceof String s)) {
      throw new ApiError(400, "ValidationError", key + ": " + v + " (expected: a string)");
    }
    return s;
  }

  private static Integer integer(JsonObject o, String key) {
    Object v = o.getValue(key);
    if (v == null) {
      return null;
    }
    if (!(v instanceof Integer || v instanceof Long) || ((Number) v).longValue() != ((Number) v).intValue()) {
      throw new ApiError(400, "ValidationError", key + ": " + (v instanceof String ? "\"" + v + "\"" : v)
          + " (expected: a whole number)");
    }
    return ((Number) v).intValue();
  }

  private void listeners(HttpServerRequest req, List<String> s, boolean read) {
    allow(req.method(), read, "GET");
    if (s.size() == 1) {
      JsonArray all = new JsonArray();
      for (AdminModel.ListenerInfo l : model.listeners()) {
        all.add(AdminJson.listener(l));
      }
      json(req, 200, new JsonObject().put("Listeners", all));
      return;
    }
    String name = s.get(1);
    Optional<AdminModel.ListenerInfo> l = model.listeners().stream().filter(x -> x.name().equals(name)).findFirst();
    if (l.isEmpty()) {
      throw new ApiError(404, "ListenerNotFound", "listener \"" + name + "\" is not defined");
    }
    if (s.size() == 2) {
      json(req, 200, AdminJson.listener(l.get()));
      return;
    }
    if (s.size() == 3 && s.get(2).equals("rules")) {
      if (l.get().rules() == null) {
        throw new ApiError(404, "RulesNotFound", "listener \"" + name + "\" is a TCP listener: it has no rules");
      }
      json(req, 200, new JsonObject().put("Rules", AdminJson.rules(l.get().rules())));
      return;
    }
    throw notFound(req);
  }

  private void scalingGroups(HttpServerRequest req, List<String> s, boolean read) {
    HttpMethod m = req.method();
    if (s.size() == 1) {
      allow(m, read, "GET");
      JsonArray all = new JsonArray();
      for (ScalingGroup g : model.scalingGroups().values()) {
        all.add(AdminJson.scalingGroup(g));
      }
      json(req, 200, new JsonObject().put("AutoScalingGroups", all));
      return;
    }
    String name = s.get(1);
    ScalingGroup g = model.scalingGroups().get(name);
    if (g == null) {
      throw new ApiError(404, "ScalingGroupNotFound", "scaling group \"" + name + "\" is not defined");
    }
    if (s.size() == 2) {
      allow(m, read, "GET");
      json(req, 200, AdminJson.scalingGroup(g));
      return;
    }
    if (s.size() == 3 && s.get(2).equals("activities")) {
      allow(m, read, "GET");
      List<ScalingActivity> acts = new ArrayList<>(g.activities());
      JsonArray out = new JsonArray();
      for (int i = acts.size() - 1; i >= 0; i--) {
        out.add(AdminJson.activity(acts.get(i)));
      }
      json(req, 200, new JsonObject().put("Activities", out));
      return;
    }
    if (s.size() == 3 && s.get(2).equals("desired-capacity")) {
      allow(m, m == HttpMethod.PUT, "PUT");
      putField(req, g, "desiredCapacity", body -> {
        Integer desired = integer(body, "desiredCapacity");
        if (desired == null) {
          throw new ApiError(400, "ValidationError", "desiredCapacity: missing (expected: a whole number "
              + g.minSize() + "-" + g.maxSize() + ")");
        }
        return g.setDesiredCapacity(desired);
      });
      return;
    }
    if (s.size() == 3 && s.get(2).equals("health-check-type")) {
      allow(m, m == HttpMethod.PUT, "PUT");
      putField(req, g, "healthCheckType", body -> {
        Object value = body.getValue("healthCheckType");
        for (HealthCheckType type : HealthCheckType.values()) {
          if (type.apiName().equals(value)) {
            return g.setHealthCheckType(type).onSuccess(v -> publish("health-check-type", new JsonObject()
                .put("autoScalingGroup", g.name()).put("healthCheckType", type.apiName())));
          }
        }
        throw new ApiError(400, "ValidationError", "healthCheckType: " + (value == null ? "missing"
            : value instanceof String ? "\"" + value + "\"" : String.valueOf(value)) + " (expected: EC2 or ELB)");
      });
      return;
    }
    throw notFound(req);
  }

  /**
   * A PUT that changes one setting of a scaling group: the body may hold only {@code field}; {@code change} validates
   * it (throwing {@link ApiError}) and applies it; the answer is the group (200) or the change's failure.
   */
  private void putField(HttpServerRequest req, ScalingGroup g, String field,
      Function<JsonObject, Future<Void>> change) {
    body(req).onSuccess(body -> {
      try {
        for (String key : body.fieldNames()) {
          if (!key.equals(field)) {
            throw new ApiError(400, "ValidationError", key + ": unknown field (expected: " + field + ")");
          }
        }
        change.apply(body).onComplete(ar -> {
          if (ar.succeeded()) {
            json(req, 200, AdminJson.scalingGroup(g));
          } else {
            error(req, failure(ar.cause()));
          }
        });
      } catch (ApiError e) {
        error(req, e);
      }
    });
  }

  private void lab(HttpServerRequest req, List<String> s) {
    if (s.size() != 4 || !s.get(1).equals("instances")
        || !(s.get(3).equals("stop-web-server") || s.get(3).equals("start-web-server"))) {
      throw notFound(req);
    }
    allow(req.method(), req.method() == HttpMethod.POST, "POST");
    Optional<LabControls> lab = model.lab();
    if (lab.isEmpty()) {
      throw new ApiError(409, "NoLab", "lab controls are not available: this gateway runs no lab instances "
          + "(they exist with the lab command, or a scaling group using the in-process provider)");
    }
    String id = s.get(2);
    Future<Void> f = s.get(3).equals("stop-web-server") ? lab.get().stopWebServer(id) : lab.get().startWebServer(id);
    f.onComplete(ar -> {
      if (ar.succeeded()) {
        json(req, 200, new JsonObject().put("InstanceId", id).put("WebServer",
            s.get(3).equals("stop-web-server") ? "stopped" : "started"));
      } else {
        error(req, failure(ar.cause()));
      }
    });
  }

  private static ApiError failure(Throwable t) {
    if (t instanceof NoSuchElementException) {
      return new ApiError(404, "InstanceNotFound", t.getMessage());
    }
    if (t instanceof IllegalArgumentException) {
      return new ApiError(400, "ValidationError", t.getMessage());
    }
    if (t instanceof IllegalStateException) {
      return new ApiError(409, "Conflict", t.getMessage());
    }
    return new ApiError(500, "InternalError", String.valueOf(t.getMessage()));
  }

  private JsonObject index() {
    JsonArray endpoints = new JsonArray();
    for (String e : List.of("GET /api/target-groups", "GET /api/target-groups/{name}",
        "GET /api/target-groups/{name}/health", "POST /api/target-groups/{name}/targets",
        "DELETE /api/target-groups/{name}/targets/{id}", "GET /api/listeners", "GET /api/listeners/{name}/rules",
        "GET /api/scaling-groups", "GET /api/scaling-groups/{name}", "GET /api/scaling-groups/{name}/activities",
        "PUT /api/scaling-groups/{name}/desired-capacity",
        "PUT /api/scaling-groups/{name}/health-check-type", "POST /api/lab/instances/{id}/stop-web-server",
        "POST /api/lab/instances/{id}/start-web-server", "GET /api/target-groups/{name}/stats", "GET /api/stats",
        "GET /api/events", "GET /metrics", "GET /")) {
      endpoints.add(e);
    }
    return new JsonObject().put("Endpoints", endpoints).put("TokenRequiredForChanges", token != null)
        .put("Lab", model.lab().isPresent());
  }

  // ---- plumbing --------------------------------------------------------------------------------------------------

  /**
   * Answers only requests addressed to this server by a name it accepts: a loopback name, the bind address, or an
   * {@code allowedHosts} entry. A page on another site that rebinds its DNS name to 127.0.0.1 sends its own name as
   * Host, so it is refused before it can read or change anything.
   */
  private void checkHost(HttpServerRequest req) {
    String header = req.getHeader("Host");
    String name = header == null ? null : hostName(header);
    if (name == null || !(isLoopback(name) || name.equalsIgnoreCase(host) || allowedHosts.stream()
        .anyMatch(name::equalsIgnoreCase))) {
      throw new ApiError(403, "HostNotAllowed", "Host " + (header == null ? "(none)" : "\"" + header + "\"")
          + " is not accepted (expected: a loopback name, the bind address " + host
          + " or a name listed in admin.allowedHosts)");
    }
  }

  /** The host part of a Host header ({@code name}, {@code name:port}, {@code [::1]:port}), or null when malformed. */
  static String hostName(String header) {
    String h = header.trim();
    if (h.startsWith("[")) {
      int end = h.indexOf(']');
      return end < 0 ? null : h.substring(1, end);
    }
    int colon = h.indexOf(':');
    String name = colon < 0 ? h : h.substring(0, colon);
    return name.isEmpty() ? null : name;
  }

  /**
   * Refuses a change a browser sends on behalf of another site: {@code Sec-Fetch-Site} other than
   * {@code same-origin}/{@code none}, or an {@code Origin} whose authority is not this request's Host. A body must be
   * {@code application/json}, which a page on another site cannot send without a CORS preflight (never answered).
   */
  private static void checkSameOrigin(HttpServerRequest req) {
    String site = req.getHeader("Sec-Fetch-Site");
    if (site != null && !site.equalsIgnoreCase("same-origin") && !site.equalsIgnoreCase("none")) {
      throw new ApiError(403, "CrossSiteRequest", "Sec-Fetch-Site: " + site
          + " (expected: same-origin or none: the admin API takes no changes from other sites)");
    }
    String origin = req.getHeader("Origin");
    if (origin != null) {
      String host = req.getHeader("Host");
      String authority = origin.startsWith("http://") ? origin.substring(7)
          : origin.startsWith("https://") ? origin.substring(8) : null;
      if (authority == null || host == null || !authority.equalsIgnoreCase(host.trim())) {
        throw new ApiError(403, "CrossSiteRequest", "Origin: " + origin
            + " (expected: this server's own origin: the admin API takes no changes from other sites)");
      }
    }
    String length = req.getHeader("Content-Length");
    boolean hasBody = req.getHeader("Transfer-Encoding") != null || length != null && !length.trim().equals("0");
    if (hasBody) {
      String type = req.getHeader("Content-Type");
      String mime = type == null ? "" : type.split(";", 2)[0].trim();
      if (!mime.equalsIgnoreCase("application/json")) {
        throw new ApiError(415, "UnsupportedMediaType", "Content-Type: " + (type == null ? "(none)" : type)
            + " (expected: application/json)");
      }
    }
  }

  private void authorize(HttpServerRequest req) {
    if (token == null) {
      return;
    }
    String auth = req.getHeader("Authorization");
    if (auth == null || !auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
      req.response().putHeader("WWW-Authenticate", "Bearer realm=\"loadstar-admin\"");
      throw new ApiError(401, "Unauthorized",
          "changes need a bearer token (Authorization: Bearer <token>, the admin.token of the configuration)");
    }
    byte[] given = auth.substring(7).trim().getBytes(StandardCharsets.UTF_8);
    if (!MessageDigest.isEqual(given, token)) {
      throw new ApiError(403, "AccessDenied", "the bearer token is not valid");
    }
  }

  private static void allow(HttpMethod m, boolean ok, String allowed) {
    if (!ok) {
      throw new ApiError(405, "MethodNotAllowed", m + " is not allowed here (allowed: " + allowed + ")");
    }
  }

  private static ApiError notFound(HttpServerRequest req) {
    return new ApiError(404, "NotFound", "no such endpoint: " + req.method() + " " + req.path()
        + " (GET /api lists them)");
  }

  private static List<String> segments(String path) {
    List<String> out = new ArrayList<>();
    if (path == null) {
      return out;
    }
    for (String p : path.split("/")) {
      if (!p.isEmpty()) {
        out.add(URLDecoder.decode(p, StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  private Future<JsonObject> body(HttpServerRequest req) {
    String length = req.getHeader("content-length");
    if (length != null) {
      try {
        if (Long.parseLong(length.trim()) > MAX_BODY_BYTES) {
          ApiError e = new ApiError(413, "PayloadTooLarge", "the body is larger than " + MAX_BODY_BYTES + " bytes");
          error(req, e);
          return Future.failedFuture(e);
        }
      } catch (NumberFormatException ignored) {
        // the server's decoder rejects malformed lengths
      }
    }
    return req.body().transform(ar -> {
      if (ar.failed()) {
        return Future.failedFuture(ar.cause());
      }
      Buffer b = ar.result();
      ApiError e = null;
      JsonObject body = null;
      if (b.length() > MAX_BODY_BYTES) {
        e = new ApiError(413, "PayloadTooLarge", "the body is larger than " + MAX_BODY_BYTES + " bytes");
      } else {
        try {
          Object v = b.length() == 0 ? null : b.toJsonValue();
          if (v instanceof JsonObject o) {
            body = o;
          } else {
            e = new ApiError(400, "ValidationError", "the body is not a JSON object");
          }
        } catch (DecodeException ex) {
          e = new ApiError(400, "ValidationError", "the body is not valid JSON: " + ex.getMessage());
        }
      }
      if (e != null) {
        error(req, e);
        return Future.failedFuture(e);
      }
      return Future.succeededFuture(body);
    });
  }

  private static boolean history(HttpServerRequest req) {
    String h = req.getParam("history");
    return h != null && (h.isEmpty() || h.equalsIgnoreCase("true") || h.equals("1"));
  }

  /** A dashboard file: revalidated on every load (no-cache with an ETag), so a new jar's page is never stale. */
  private static void asset(HttpServerRequest req, DashboardAssets.Asset a) {
    req.response().putHeader("cache-control", "no-cache").putHeader("etag", a.etag())
        .putHeader("x-content-type-options", "nosniff");
    if (a.contentType().startsWith("text/html")) {
      // the page loads only its own script and style and talks only to this server
      req.response().putHeader("content-security-policy", "default-src 'none'; script-src 'self'; style-src 'self'; "
          + "connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
    }
    String match = req.getHeader("If-None-Match");
    if (match != null && match.contains(a.etag())) {
      req.response().setStatusCode(304).end();
      return;
    }
    req.response().putHeader("content-type", a.contentType());
    if (req.method() == HttpMethod.HEAD) {
      req.response().putHeader("content-length", Integer.toString(a.bytes().length)).end();
    } else {
      req.response().end(Buffer.buffer(a.bytes()));
    }
  }

  private static void json(HttpServerRequest req, int status, JsonObject body) {
    if (req.response().ended()) {
      return;
    }
    req.response().setStatusCode(status).putHeader("content-type", "application/json")
        .end(body.encodePrettily());
  }

  private static void error(HttpServerRequest req, ApiError e) {
    if (req.response().ended() || req.response().closed()) {
      return;
    }
    if (e.status == 405) {
      String msg = e.getMessage();
      int i = msg.indexOf("(allowed: ");
      if (i >= 0) {
        req.response().putHeader("Allow", msg.substring(i + 10, msg.length() - 1));
      }
    }
    json(req, e.status, AdminJson.error(e.code, e.getMessage()));
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
      return new AdminServer(this);
    }
  }
}
