package dev.loadstar.gateway.internal.admin;

import dev.loadstar.core.RegisteredTarget;
import dev.loadstar.core.Target;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.gateway.admin.AdminModel;
import dev.loadstar.gateway.admin.LabControls;
import dev.loadstar.gateway.config.GatewayConfig;
import dev.loadstar.scaling.HealthCheckType;
import dev.loadstar.scaling.ScalingActivity;
import dev.loadstar.scaling.ScalingGroup;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The admin API as a vertx-web {@link Router}: the guards ({@link AdminGuards}) first, the body limit on changes, one
 * route per endpoint, a 405 with {@code Allow} for a known path with another method, a JSON 404 for anything else,
 * and one failure handler that turns every failure into a JSON error (never an exception's text in a 500).
 */
public final class AdminRoutes {

  /** Largest accepted request body; a larger one is refused with 413 while it streams in, without buffering it. */
  public static final int MAX_BODY_BYTES = 64 * 1024;

  /**
   * What the routes serve.
   *
   * @param model the gateway's state
   * @param guards the host, origin and token checks
   * @param metrics the registry served at /metrics, or null
   * @param events the event stream (set once the server starts)
   * @param stats the per-target statistics (set once the server starts)
   * @param publish publishes an event on the stream
   */
  public record Sources(AdminModel model, AdminGuards guards, PrometheusMeterRegistry metrics,
      Supplier<EventHub> events, Supplier<TargetStats> stats, BiConsumer<String, JsonObject> publish) {
  }

  private final Sources src;
  private final AdminModel model;
  private final Router router;
  private final Map<String, List<String>> methodsByPath = new LinkedHashMap<>();

  private AdminRoutes(Vertx vertx, Sources src) {
    this.src = src;
    this.model = src.model();
    this.router = Router.router(vertx);
  }

  /** The router serving the admin API, the event stream, /metrics and the dashboard. */
  public static Router router(Vertx vertx, Sources sources) {
    return new AdminRoutes(vertx, sources).build();
  }

  private Router build() {
    // a malformed %-escape is refused before any path route decodes it
    router.route().handler(src.guards().wellFormedPath());
    // probes next: open to kubelet's requests (a pod IP in Host, no token); they tell nothing but up or ready
    router.get("/live").handler(ctx -> json(ctx, 200, new JsonObject().put("Status", "live")));
    router.get("/ready").handler(ctx -> {
      String reason = model.notReadyReason();
      json(ctx, reason == null ? 200 : 503, new JsonObject().put("Status", reason == null ? "ready" : reason));
    });
    router.route().handler(src.guards().hostCheck()).handler(src.guards().changes());
    router.route().method(HttpMethod.POST).method(HttpMethod.PUT).method(HttpMethod.PATCH)
        .handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES));
    router.routeWithRegex("^/(metrics|api/.+)$").handler(src.guards().reads());

    for (String path : DashboardAssets.paths()) {
      read(path, ctx -> asset(ctx, DashboardAssets.get(path)));
    }
    read("/metrics", this::metrics);
    read("/api", ctx -> json(ctx, 200, index()));
    route(HttpMethod.POST, "/api/session", src.guards()::startSession);
    route(HttpMethod.DELETE, "/api/session", src.guards()::endSession);

    read("/api/target-groups", ctx -> {
      JsonArray all = new JsonArray();
      model.targetGroups().forEach((name, g) -> all.add(AdminJson.targetGroup(g, model.healthCheck(name))));
      json(ctx, 200, new JsonObject().put("TargetGroups", all));
    });
    read("/api/target-groups/:name", ctx -> json(ctx, 200, AdminJson.targetGroup(group(ctx),
        model.healthCheck(ctx.pathParam("name")))));
    read("/api/target-groups/:name/health", ctx -> json(ctx, 200, AdminJson.describeTargetHealth(group(ctx),
        model.healthCheck(ctx.pathParam("name")))));
    read("/api/target-groups/:name/stats", ctx -> {
      group(ctx);
      String name = ctx.pathParam("name");
      if (!src.stats().get().has(name)) {
        throw ApiError.notFound(ctx);
      }
      json(ctx, 200, src.stats().get().group(name, history(ctx)));
    });
    route(HttpMethod.POST, "/api/target-groups/:name/targets", this::register);
    route(HttpMethod.DELETE, "/api/target-groups/:name/targets/:id", this::deregister);

    read("/api/listeners", ctx -> {
      JsonArray all = new JsonArray();
      for (AdminModel.ListenerInfo l : model.listeners()) {
        all.add(AdminJson.listener(l));
      }
      json(ctx, 200, new JsonObject().put("Listeners", all));
    });
    read("/api/listeners/:name", ctx -> json(ctx, 200, AdminJson.listener(listener(ctx))));
    read("/api/listeners/:name/rules", ctx -> {
      AdminModel.ListenerInfo l = listener(ctx);
      if (l.rules() == null) {
        throw new ApiError(404, "RulesNotFound", "listener \"" + l.name() + "\" is a TCP listener: it has no rules");
      }
      json(ctx, 200, new JsonObject().put("Rules", AdminJson.rules(l.rules())));
    });

    read("/api/scaling-groups", ctx -> {
      JsonArray all = new JsonArray();
      for (ScalingGroup g : model.scalingGroups().values()) {
        all.add(AdminJson.scalingGroup(g));
      }
      json(ctx, 200, new JsonObject().put("AutoScalingGroups", all));
    });
    read("/api/scaling-groups/:name", ctx -> json(ctx, 200, AdminJson.scalingGroup(scalingGroup(ctx))));
    read("/api/scaling-groups/:name/activities", ctx -> {
      List<ScalingActivity> acts = new ArrayList<>(scalingGroup(ctx).activities());
      JsonArray out = new JsonArray();
      for (int i = acts.size() - 1; i >= 0; i--) {
        out.add(AdminJson.activity(acts.get(i)));
      }
      json(ctx, 200, new JsonObject().put("Activities", out));
    });
    route(HttpMethod.PUT, "/api/scaling-groups/:name/desired-capacity", ctx -> {
      ScalingGroup g = scalingGroup(ctx);
      putField(ctx, g, "desiredCapacity", body -> {
        Integer desired = Bodies.integer(body, "desiredCapacity");
        if (desired == null) {
          throw new ApiError(400, "ValidationError", "desiredCapacity: missing (expected: a whole number "
              + g.minSize() + "-" + g.maxSize() + ")");
        }
        return g.setDesiredCapacity(desired);
      });
    });
    route(HttpMethod.PUT, "/api/scaling-groups/:name/health-check-type", ctx -> {
      ScalingGroup g = scalingGroup(ctx);
      putField(ctx, g, "healthCheckType", body -> {
        Object value = body.getValue("healthCheckType");
        for (HealthCheckType type : HealthCheckType.values()) {
          if (type.apiName().equals(value)) {
            return g.setHealthCheckType(type).onSuccess(v -> src.publish().accept("health-check-type",
                new JsonObject().put("autoScalingGroup", g.name()).put("healthCheckType", type.apiName())));
          }
        }
        throw new ApiError(400, "ValidationError", "healthCheckType: " + (value == null ? "missing"
            : value instanceof String ? "\"" + value + "\"" : String.valueOf(value)) + " (expected: EC2 or ELB)");
      });
    });

    route(HttpMethod.POST, "/api/reload", ctx -> applied(ctx, model.reload(), changes -> new JsonObject()));
    // ALB's CreateRule, ModifyRule, DeleteRule, ModifyTargetGroupAttributes and ModifyTargetGroup (health check):
    // edits of the running configuration, validated whole as the file is
    route(HttpMethod.POST, "/api/listeners/:name/rules", ctx -> {
      String name = listener(ctx).name();
      String body = jsonBody(ctx).encode();
      applied(ctx, model.change(c -> c.withRule(name, body)), x -> rulesOf(name));
    });
    route(HttpMethod.PUT, "/api/listeners/:name/rules/:priority", ctx -> {
      String name = listener(ctx).name();
      long priority = priority(ctx);
      String body = jsonBody(ctx).encode();
      applied(ctx, model.change(c -> c.withRuleReplaced(name, priority, body)), x -> rulesOf(name));
    });
    route(HttpMethod.DELETE, "/api/listeners/:name/rules/:priority", ctx -> {
      String name = listener(ctx).name();
      long priority = priority(ctx);
      applied(ctx, model.change(c -> c.withoutRule(name, priority)), x -> rulesOf(name));
    });
    route(HttpMethod.PUT, "/api/target-groups/:name/attributes",
        ctx -> groupEdit(ctx, GatewayConfig::withTargetGroupAttributes));
    route(HttpMethod.PUT, "/api/target-groups/:name/health-check", ctx -> groupEdit(ctx, GatewayConfig::withHealthCheck));

    route(HttpMethod.POST, "/api/lab/instances/:id/stop-web-server", ctx -> lab(ctx, false));
    route(HttpMethod.POST, "/api/lab/instances/:id/start-web-server", ctx -> lab(ctx, true));

    read("/api/stats", ctx -> {
      JsonObject all = src.stats().get().json(history(ctx));
      JsonArray asgs = new JsonArray();
      for (ScalingGroup g : model.scalingGroups().values()) {
        asgs.add(AdminJson.scalingGroup(g));
      }
      json(ctx, 200, all.put("AutoScalingGroups", asgs));
    });
    read("/api/events", ctx -> src.events().get().subscribe(ctx.request()));

    // a known path with another method: 405 naming the allowed ones
    methodsByPath.forEach((path, methods) -> router.route(path).handler(ctx -> {
      throw ApiError.methodNotAllowed(ctx.request().method().name(), String.join(", ", methods));
    }));
    router.route().last().handler(ctx -> {
      throw ApiError.notFound(ctx);
    });
    router.route().failureHandler(ctx -> ApiError.of(ctx).write(ctx));
    // failures the router raises before any route matched (e.g. a path with an invalid %-escape)
    for (int status : new int[] {400, 404, 405, 413, 500}) {
      router.errorHandler(status, ctx -> ApiError.of(ctx).write(ctx));
    }
    return router;
  }

  private void read(String path, Handler<RoutingContext> handler) {
    router.route(path).method(HttpMethod.GET).method(HttpMethod.HEAD).handler(handler);
    methodsByPath.computeIfAbsent(path, p -> new ArrayList<>()).add("GET");
  }

  private void route(HttpMethod method, String path, Handler<RoutingContext> handler) {
    router.route(path).method(method).handler(handler);
    methodsByPath.computeIfAbsent(path, p -> new ArrayList<>()).add(method.name());
  }

  // ---- endpoints -------------------------------------------------------------------------------------------------

  private TargetGroup group(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    TargetGroup g = model.targetGroups().get(name);
    if (g == null) {
      throw new ApiError(404, "TargetGroupNotFound", "target group \"" + name + "\" is not defined (defined: "
          + String.join(", ", model.targetGroups().keySet()) + ")");
    }
    return g;
  }

  private AdminModel.ListenerInfo listener(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    Optional<AdminModel.ListenerInfo> l = model.listeners().stream().filter(x -> x.name().equals(name)).findFirst();
    return l.orElseThrow(() -> new ApiError(404, "ListenerNotFound", "listener \"" + name + "\" is not defined"));
  }

  private ScalingGroup scalingGroup(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    ScalingGroup g = model.scalingGroups().get(name);
    if (g == null) {
      throw new ApiError(404, "ScalingGroupNotFound", "scaling group \"" + name + "\" is not defined");
    }
    return g;
  }

  private void register(RoutingContext ctx) {
    TargetGroup g = group(ctx);
    Target t = Bodies.target(jsonBody(ctx));
    g.register(t);
    json(ctx, 200, AdminJson.describeTargetHealth(g, model.healthCheck(g.name()), List.of(t.id())));
  }

  private void deregister(RoutingContext ctx) {
    TargetGroup g = group(ctx);
    String id = ctx.pathParam("id");
    RegisteredTarget t = g.target(id);
    if (t == null || !t.isActive()) {
      throw new ApiError(404, "TargetNotFound", "target \"" + id + "\" is not registered in target group \""
          + g.name() + "\"" + (t != null ? " (it is already draining)" : ""));
    }
    g.deregister(id);
    json(ctx, 202, AdminJson.describeTargetHealth(g, model.healthCheck(g.name()), List.of(id)));
  }

  /**
   * A PUT that changes one setting of a scaling group: the body may hold only {@code field}; {@code change} validates
   * it (throwing {@link ApiError}) and applies it; the answer is the group (200) or the change's failure.
   */
  private void putField(RoutingContext ctx, ScalingGroup g, String field,
      Function<JsonObject, Future<Void>> change) {
    JsonObject body = jsonBody(ctx);
    for (String key : body.fieldNames()) {
      if (!key.equals(field)) {
        throw new ApiError(400, "ValidationError", key + ": unknown field (expected: " + field + ")");
      }
    }
    change.apply(body).onComplete(ar -> {
      if (ar.succeeded()) {
        json(ctx, 200, AdminJson.scalingGroup(g));
      } else {
        ApiError.of(ar.cause()).write(ctx);
      }
    });
  }

  private static long priority(RoutingContext ctx) {
    String p = ctx.pathParam("priority");
    try {
      return Long.parseLong(p);
    } catch (NumberFormatException e) {
      throw new ApiError(400, "ValidationError", "priority: \"" + p + "\" (expected: a rule priority 1-50000)");
    }
  }

  /** A change of one target group's section by {@code edit} (config, group name, JSON body); answers the group. */
  private void groupEdit(RoutingContext ctx, GroupEdit edit) {
    String name = group(ctx).name();
    String body = jsonBody(ctx).encode();
    applied(ctx, model.change(c -> edit.apply(c, name, body)), x -> groupJson(name));
  }

  @FunctionalInterface
  private interface GroupEdit {
    GatewayConfig.Result apply(GatewayConfig config, String group, String json);
  }

  private JsonObject rulesOf(String listener) {
    for (AdminModel.ListenerInfo l : model.listeners()) {
      if (l.name().equals(listener) && l.rules() != null) {
        return new JsonObject().put("Rules", AdminJson.rules(l.rules()));
      }
    }
    return new JsonObject();
  }

  private JsonObject groupJson(String name) {
    TargetGroup g = model.targetGroups().get(name);
    return g == null ? new JsonObject() : AdminJson.targetGroup(g, model.healthCheck(name));
  }

  /**
   * Answers a reload or a change: 200 with the changes made (and {@code body}'s fields); 400 {@code ValidationError}
   * with every error (as {@code validate} prints them) when nothing was changed; 404 for a rule that does not exist;
   * 409 when the model has no configuration or is starting or stopping.
   */
  private static void applied(RoutingContext ctx, Future<List<String>> f, Function<List<String>, JsonObject> body) {
    f.onComplete(ar -> {
      if (ar.succeeded()) {
        json(ctx, 200, body.apply(ar.result()).put("Changes", new JsonArray(ar.result())));
        return;
      }
      Throwable t = ar.cause();
      if (t instanceof dev.loadstar.gateway.config.ConfigException e) {
        JsonArray errors = new JsonArray();
        e.errors().forEach(x -> errors.add(x.toString()));
        String first = e.errors().get(0).message();
        json(ctx, 400, AdminJson.error("ValidationError", e.errors().size() == 1 ? first
            : e.errors().size() + " errors, the first: " + first).put("Errors", errors));
      } else if (t instanceof java.util.NoSuchElementException) {
        new ApiError(404, "RuleNotFound", t.getMessage()).write(ctx);
      } else if (t instanceof UnsupportedOperationException) {
        new ApiError(409, "NotReloadable", t.getMessage()).write(ctx);
      } else {
        ApiError.of(t).write(ctx);
      }
    });
  }

  private void lab(RoutingContext ctx, boolean start) {
    Optional<LabControls> lab = model.lab();
    if (lab.isEmpty()) {
      throw new ApiError(409, "NoLab", "lab controls are not available: this gateway runs no lab instances "
          + "(they exist with the lab command, or a scaling group using the in-process provider)");
    }
    String id = ctx.pathParam("id");
    Future<Void> f = start ? lab.get().startWebServer(id) : lab.get().stopWebServer(id);
    f.onComplete(ar -> {
      if (ar.succeeded()) {
        json(ctx, 200, new JsonObject().put("InstanceId", id).put("WebServer", start ? "started" : "stopped"));
      } else {
        ApiError.of(ar.cause()).write(ctx);
      }
    });
  }

  private void metrics(RoutingContext ctx) {
    if (src.metrics() == null) {
      throw new ApiError(404, "NotFound", "no metrics registry is configured");
    }
    ctx.response().putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8").end(src.metrics().scrape());
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
        "GET /api/events", "POST /api/session", "DELETE /api/session", "GET /metrics", "GET /live", "GET /ready",
        "POST /api/reload", "POST /api/listeners/{name}/rules", "PUT /api/listeners/{name}/rules/{priority}",
        "DELETE /api/listeners/{name}/rules/{priority}", "PUT /api/target-groups/{name}/attributes",
        "PUT /api/target-groups/{name}/health-check",
        "GET /")) {
      endpoints.add(e);
    }
    boolean token = src.guards().tokenRequired();
    return new JsonObject().put("Endpoints", endpoints).put("TokenRequiredForChanges", token)
        .put("TokenRequiredForReads", token).put("Lab", model.lab().isPresent());
  }

  // ---- plumbing --------------------------------------------------------------------------------------------------

  private static JsonObject jsonBody(RoutingContext ctx) {
    Buffer b = ctx.body().buffer();
    try {
      Object v = b == null || b.length() == 0 ? null : b.toJsonValue();
      if (v instanceof JsonObject o) {
        return o;
      }
      throw new ApiError(400, "ValidationError", "the body is not a JSON object");
    } catch (DecodeException ex) {
      throw new ApiError(400, "ValidationError", "the body is not valid JSON: " + ex.getMessage());
    }
  }

  private static boolean history(RoutingContext ctx) {
    String h = ctx.request().getParam("history");
    return h != null && (h.isEmpty() || h.equalsIgnoreCase("true") || h.equals("1"));
  }

  /** A dashboard file: revalidated on every load (no-cache with an ETag), so a new jar's page is never stale. */
  private static void asset(RoutingContext ctx, DashboardAssets.Asset a) {
    var res = ctx.response();
    res.putHeader("cache-control", "no-cache").putHeader("etag", a.etag()).putHeader("x-content-type-options",
        "nosniff");
    if (a.contentType().startsWith("text/html")) {
      // the page loads only its own script and style and talks only to this server
      res.putHeader("content-security-policy", "default-src 'none'; script-src 'self'; style-src 'self'; "
          + "connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
    }
    String match = ctx.request().getHeader("If-None-Match");
    if (match != null && match.contains(a.etag())) {
      res.setStatusCode(304).end();
      return;
    }
    res.putHeader("content-type", a.contentType());
    if (ctx.request().method() == HttpMethod.HEAD) {
      res.putHeader("content-length", Integer.toString(a.bytes().length)).end();
    } else {
      res.end(Buffer.buffer(a.bytes()));
    }
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    if (ctx.response().ended()) {
      return;
    }
    ctx.response().setStatusCode(status).putHeader("content-type", "application/json").end(body.encodePrettily());
  }
}
