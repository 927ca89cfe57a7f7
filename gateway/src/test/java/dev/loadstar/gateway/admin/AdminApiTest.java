package dev.loadstar.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetHealth;
import dev.loadstar.gateway.config.GatewayConfig;
import dev.loadstar.gateway.GatewayRuntime;
import dev.loadstar.gateway.support.Http;
import dev.loadstar.scaling.Instance;
import dev.loadstar.scaling.InstanceState;
import dev.loadstar.scaling.ScalingGroup;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Every admin endpoint, the token check, the 400/404/405/409 paths and the event stream, on a running gateway. */
@Timeout(60)
class AdminApiTest {

  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final String TOKEN = "s3cret-admin-token";
  // Health checks are frequent so the targets are healthy soon, and need 10 failures in a row (2 s) to turn a target
  // unhealthy, so a loaded machine timing out a few 100 ms checks does not change the health the tests assert.
  private static final String CONFIG = """
      admin: {host: 127.0.0.1, port: 0, token: s3cret-admin-token}
      listeners:
        - name: web
          host: 127.0.0.1
          port: 0
          rules:
            - name: api
              priority: 5
              conditions: [{field: path-pattern, values: ["/api/*"]}]
              actions: [{type: forward, targetGroupName: api}]
          defaultActions: [{type: forward, targetGroupName: fleet}]
        - name: raw
          protocol: TCP
          host: 127.0.0.1
          port: 0
          defaultActions: [{type: forward, targetGroupName: api}]
      targetGroups:
        - name: api
          targets: [{id: api-1, host: 127.0.0.1, port: "${env:API_PORT}"}]
          attributes: {deregistration_delay.timeout_seconds: 0}
          healthCheck: {path: /health, intervalSeconds: 0.2, timeoutSeconds: 0.1, embedded: true,
            unhealthyThresholdCount: 10}
        - name: fleet
          attributes: {deregistration_delay.timeout_seconds: 0}
          healthCheck: {intervalSeconds: 0.2, timeoutSeconds: 0.1, embedded: true, healthyThresholdCount: 2,
            unhealthyThresholdCount: 10}
      scalingGroups:
        - name: fleet-asg
          launchTemplate: {provider: in-process}
          minSize: 1
          desiredCapacity: 1
          maxSize: 3
          targetGroups: [fleet]
      """;

  private Vertx vertx;
  private GatewayRuntime runtime;
  private Http http;
  private int admin;
  private int api2Port;

  private int backend(String id) {
    HttpServer s = vertx.createHttpServer().requestHandler(req -> req.response().end(id))
        .listen(0, "127.0.0.1").await();
    return s.actualPort();
  }

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    int api1 = backend("api-1");
    api2Port = backend("api-2");
    GatewayConfig config = GatewayConfig.parse(CONFIG, "admin-test.yaml", false,
        Map.of("API_PORT", Integer.toString(api1))::get);
    runtime = GatewayRuntime.create(vertx, config);
    runtime.start().await();
    http = new Http(vertx);
    admin = runtime.admin().actualPort();
    await().atMost(WAIT).until(() -> state("api", "api-1") == TargetHealth.State.HEALTHY
        && fleet().instances().size() == 1 && fleet().instances().get(0).state() == InstanceState.IN_SERVICE
        && state("fleet", fleet().instances().get(0).id()) == TargetHealth.State.HEALTHY);
  }

  @AfterEach
  void stop() {
    http.close();
    runtime.close().await();
    vertx.close().await();
  }

  private ScalingGroup fleet() {
    return runtime.scalingGroups().get("fleet-asg");
  }

  private TargetHealth.State state(String group, String id) {
    TargetGroup g = runtime.targetGroups().get(group);
    return g.target(id) == null ? TargetHealth.State.UNUSED : g.target(id).health().state();
  }

  private Http.Resp get(String uri) {
    return http.get(admin, uri, Http.headers("Authorization", "Bearer " + TOKEN));
  }

  private Http.Resp send(HttpMethod method, String uri, String body, String token) {
    MultiMap h = Http.headers("content-type", "application/json");
    if (token != null) {
      h.add("Authorization", "Bearer " + token);
    }
    return http.send(method, admin, uri, h, body);
  }

  private static void assertError(Http.Resp r, int status, String code, String message) {
    assertThat(r.status()).isEqualTo(status);
    assertThat(r.headers().get("content-type")).isEqualTo("application/json");
    assertThat(r.json()).isEqualTo(new JsonObject().put("error", code).put("message", message));
  }

  @Test
  void readsWithTheTokenDescribeEveryPart() {
    JsonObject index = get("/api").json();
    assertThat(index.getBoolean("TokenRequiredForChanges")).isTrue();
    assertThat(index.getBoolean("Lab")).isTrue();
    assertThat(index.getJsonArray("Endpoints")).contains("GET /api/events", "GET /metrics",
        "PUT /api/scaling-groups/{name}/desired-capacity");

    JsonArray groups = get("/api/target-groups").json().getJsonArray("TargetGroups");
    assertThat(groups.stream().map(g -> ((JsonObject) g).getString("TargetGroupName")).toList())
        .containsExactly("api", "fleet");
    JsonObject api = get("/api/target-groups/api").json();
    assertThat(api.getInteger("RegisteredTargetCount")).isEqualTo(1);
    assertThat(api.getJsonObject("HealthCheck").getValue("HealthCheckIntervalSeconds")).isEqualTo(0.2);

    JsonObject health = get("/api/target-groups/api/health").json();
    assertThat(health.getJsonArray("TargetHealthDescriptions").getJsonObject(0)).isEqualTo(new JsonObject()
        .put("Target", new JsonObject().put("Id", "api-1").put("Port", runtime.targetGroups().get("api")
            .target("api-1").target().port()))
        .put("HealthCheckPort", Integer.toString(runtime.targetGroups().get("api").target("api-1").target().port()))
        .put("TargetHealth", new JsonObject().put("State", "healthy"))
        .put("AnomalyDetection", new JsonObject().put("Result", "normal").put("MitigationInEffect", "no"))
        .put("TargetType", "instance"));

    JsonArray listeners = get("/api/listeners").json().getJsonArray("Listeners");
    assertThat(listeners).hasSize(2);
    assertThat(listeners.getJsonObject(0).getInteger("Port")).isEqualTo(runtime.listenerPort("web"));
    assertThat(listeners.getJsonObject(1)).isEqualTo(new JsonObject().put("Name", "raw").put("Protocol", "TCP")
        .put("Host", "127.0.0.1").put("Port", runtime.listenerPort("raw")).put("DefaultActions",
            new JsonArray().add(new JsonObject().put("Type", "forward").put("TargetGroupName", "api"))));
    JsonArray rules = get("/api/listeners/web/rules").json().getJsonArray("Rules");
    assertThat(rules.stream().map(r -> ((JsonObject) r).getString("Priority")).toList())
        .containsExactly("5", "default");
    assertThat(rules.getJsonObject(0).getString("Name")).isEqualTo("api");

    JsonArray asgs = get("/api/scaling-groups").json().getJsonArray("AutoScalingGroups");
    assertThat(asgs).hasSize(1);
    JsonObject asg = get("/api/scaling-groups/fleet-asg").json();
    assertThat(asg.getInteger("MinSize")).isEqualTo(1);
    assertThat(asg.getInteger("MaxSize")).isEqualTo(3);
    assertThat(asg.getString("HealthCheckType")).isEqualTo("EC2");
    assertThat(asg.getJsonArray("TargetGroupNames")).containsExactly("fleet");
    assertThat(asg.getJsonArray("Instances").getJsonObject(0).getString("LifecycleState")).isEqualTo("InService");
    JsonArray activities = get("/api/scaling-groups/fleet-asg/activities").json().getJsonArray("Activities");
    assertThat(activities).hasSize(1);
    assertThat(activities.getJsonObject(0).getString("StatusCode")).isEqualTo("Successful");
    assertThat(activities.getJsonObject(0).getString("Kind")).isEqualTo("LAUNCH");

    assertThat(get("/metrics").body()).contains("HealthyHostCount{target_group=\"api\"} 1.0");
  }

  @Test
  void changesWithoutTheTokenAre401AndWithAWrongTokenAre403() {
    String body = new JsonObject().put("id", "api-2").put("host", "127.0.0.1").put("port", api2Port).encode();
    Http.Resp none = send(HttpMethod.POST, "/api/target-groups/api/targets", body, null);
    assertError(none, 401, "Unauthorized",
        "changes need a bearer token (Authorization: Bearer <token>, the admin.token of the configuration)");
    assertThat(none.headers().get("WWW-Authenticate")).isEqualTo("Bearer realm=\"loadstar-admin\"");
    assertError(send(HttpMethod.POST, "/api/target-groups/api/targets", body, "wrong"), 403, "AccessDenied",
        "the bearer token is not valid");
    assertThat(send(HttpMethod.PUT, "/api/scaling-groups/fleet-asg/desired-capacity", "{\"desiredCapacity\":2}",
        null).status()).isEqualTo(401);
    assertThat(send(HttpMethod.DELETE, "/api/target-groups/api/targets/api-1", null, "wrong").status())
        .isEqualTo(403);
    String instance = fleet().instances().get(0).id();
    assertThat(send(HttpMethod.POST, "/api/lab/instances/" + instance + "/stop-web-server", null, null).status())
        .isEqualTo(401);
    // nothing changed
    assertThat(runtime.targetGroups().get("api").targets()).hasSize(1);
    assertThat(state("api", "api-1")).isEqualTo(TargetHealth.State.HEALTHY);
    assertThat(fleet().desiredCapacity()).isEqualTo(1);
    assertThat(state("fleet", instance)).isEqualTo(TargetHealth.State.HEALTHY);
  }

  @Test
  void registersAndDeregistersATarget() {
    String body = new JsonObject().put("id", "api-2").put("host", "127.0.0.1").put("port", api2Port)
        .put("zone", "zone-b").encode();
    Http.Resp r = send(HttpMethod.POST, "/api/target-groups/api/targets", body, TOKEN);
    assertThat(r.status()).isEqualTo(200);
    JsonObject row = r.json().getJsonArray("TargetHealthDescriptions").getJsonObject(0);
    assertThat(row.getJsonObject("Target")).isEqualTo(new JsonObject().put("Id", "api-2").put("Port", api2Port)
        .put("AvailabilityZone", "zone-b"));
    assertThat(row.getJsonObject("TargetHealth").getString("State")).isIn("initial", "healthy");
    await().atMost(WAIT).until(() -> state("api", "api-2") == TargetHealth.State.HEALTHY);

    Http.Resp d = send(HttpMethod.DELETE, "/api/target-groups/api/targets/api-2", null, TOKEN);
    assertThat(d.status()).isEqualTo(202);
    // deregistration delay 0 and nothing in flight: the target has left already
    assertThat(d.json().getJsonArray("TargetHealthDescriptions").getJsonObject(0).getJsonObject("TargetHealth"))
        .isEqualTo(new JsonObject().put("State", "unused").put("Reason", "Target.NotRegistered")
            .put("Description", "Target is not registered to the target group."));
    assertThat(runtime.targetGroups().get("api").target("api-2")).isNull();
    assertError(send(HttpMethod.DELETE, "/api/target-groups/api/targets/api-2", null, TOKEN), 404,
        "TargetNotFound", "target \"api-2\" is not registered in target group \"api\"");
  }

  @Test
  void badRequestsAre400WithTheReason() {
    String uri = "/api/target-groups/api/targets";
    assertThat(send(HttpMethod.POST, uri, "{not json", TOKEN).json().getString("message"))
        .startsWith("the body is not valid JSON: ");
    assertError(send(HttpMethod.POST, uri, "[1, 2]", TOKEN), 400, "ValidationError", "the body is not a JSON object");
    assertError(send(HttpMethod.POST, uri, "{\"id\": \"x\", \"host\": \"127.0.0.1\"}", TOKEN), 400,
        "ValidationError", "port: missing (expected: a target {\"id\": ..., \"host\": ..., \"port\": ...})");
    assertError(send(HttpMethod.POST, uri, "{\"id\": \"x\", \"host\": \"127.0.0.1\", \"port\": 0}", TOKEN), 400,
        "ValidationError", "port: 0 (expected: 1-65535)");
    assertError(send(HttpMethod.POST, uri, "{\"id\": \"x\", \"host\": \"127.0.0.1\", \"port\": \"80\"}", TOKEN), 400,
        "ValidationError", "port: \"80\" (expected: a whole number)");
    assertError(send(HttpMethod.POST, uri, "{\"id\": \"x\", \"host\": \"h\", \"port\": 80, \"colour\": 1}", TOKEN),
        400, "ValidationError", "colour: unknown field (expected: id, host, port, weight, zone, metadata)");
    String capacity = "/api/scaling-groups/fleet-asg/desired-capacity";
    assertError(send(HttpMethod.PUT, capacity, "{\"desiredCapacity\": 9}", TOKEN), 400, "ValidationError",
        "desiredCapacity: 9 (expected: minSize 1 <= desiredCapacity <= maxSize 3)");
    assertError(send(HttpMethod.PUT, capacity, "{}", TOKEN), 400, "ValidationError",
        "desiredCapacity: missing (expected: a whole number 1-3)");
    String type = "/api/scaling-groups/fleet-asg/health-check-type";
    assertError(send(HttpMethod.PUT, type, "{\"healthCheckType\": \"ALB\"}", TOKEN), 400, "ValidationError",
        "healthCheckType: \"ALB\" (expected: EC2 or ELB)");
    assertError(send(HttpMethod.PUT, type, "{\"type\": \"ELB\"}", TOKEN), 400, "ValidationError",
        "type: unknown field (expected: healthCheckType)");
    assertThat(runtime.targetGroups().get("api").targets()).hasSize(1);
    assertThat(fleet().desiredCapacity()).isEqualTo(1);
    assertThat(fleet().healthCheckType()).isEqualTo(dev.loadstar.scaling.HealthCheckType.PROVIDER);
  }

  @Test
  void switchesTheHealthCheckTypeOfAScalingGroup() {
    String type = "/api/scaling-groups/fleet-asg/health-check-type";
    assertThat(send(HttpMethod.PUT, type, "{\"healthCheckType\": \"ELB\"}", null).status()).isEqualTo(401);
    assertThat(fleet().healthCheckType()).isEqualTo(dev.loadstar.scaling.HealthCheckType.PROVIDER);
    Http.Resp r = send(HttpMethod.PUT, type, "{\"healthCheckType\": \"ELB\"}", TOKEN);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().getString("HealthCheckType")).isEqualTo("ELB");
    assertThat(fleet().healthCheckType()).isEqualTo(dev.loadstar.scaling.HealthCheckType.LOAD_BALANCER);
    assertThat(send(HttpMethod.PUT, type, "{\"healthCheckType\": \"EC2\"}", TOKEN).json()
        .getString("HealthCheckType")).isEqualTo("EC2");
    assertThat(fleet().healthCheckType()).isEqualTo(dev.loadstar.scaling.HealthCheckType.PROVIDER);
  }

  @Test
  void unknownNamesAndIdsAre404() {
    assertError(get("/api/target-groups/nope"), 404, "TargetGroupNotFound",
        "target group \"nope\" is not defined (defined: api, fleet)");
    assertError(get("/api/scaling-groups/nope/activities"), 404, "ScalingGroupNotFound",
        "scaling group \"nope\" is not defined");
    assertError(get("/api/listeners/nope/rules"), 404, "ListenerNotFound", "listener \"nope\" is not defined");
    assertError(get("/api/listeners/raw/rules"), 404, "RulesNotFound",
        "listener \"raw\" is a TCP listener: it has no rules");
    assertError(get("/api/nothing"), 404, "NotFound", "no such endpoint: GET /api/nothing (GET /api lists them)");
    assertError(get("/favicon.ico"), 404, "NotFound", "no such endpoint: GET /favicon.ico (GET /api lists them)");
    assertError(send(HttpMethod.POST, "/api/lab/instances/i-nope/stop-web-server", null, TOKEN), 404,
        "InstanceNotFound", "instance \"i-nope\" is not a running in-process instance of this gateway");
  }

  @Test
  void aWrongMethodIs405WithAllow() {
    Http.Resp r = get("/api/target-groups/api/targets");
    assertError(r, 405, "MethodNotAllowed", "GET is not allowed here (allowed: POST)");
    assertThat(r.headers().get("Allow")).isEqualTo("POST");
    assertThat(send(HttpMethod.DELETE, "/api/target-groups", null, TOKEN).headers().get("Allow")).isEqualTo("GET");
  }

  @Test
  void setsTheDesiredCapacityAndTheActivityHistoryShowsTheLaunch() {
    Http.Resp r = send(HttpMethod.PUT, "/api/scaling-groups/fleet-asg/desired-capacity", "{\"desiredCapacity\": 2}",
        TOKEN);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().getInteger("DesiredCapacity")).isEqualTo(2);
    await().atMost(WAIT).until(() -> fleet().instances().stream()
        .filter(i -> i.state() == InstanceState.IN_SERVICE).count() == 2);
    await().atMost(WAIT).until(() -> get("/api/scaling-groups/fleet-asg/activities").json()
        .getJsonArray("Activities").size() == 2);
    JsonObject newest = get("/api/scaling-groups/fleet-asg/activities").json().getJsonArray("Activities")
        .getJsonObject(0);
    await().atMost(WAIT).until(() -> get("/api/scaling-groups/fleet-asg/activities").json()
        .getJsonArray("Activities").getJsonObject(0).getString("StatusCode").equals("Successful"));
    assertThat(newest.getString("Kind")).isEqualTo("LAUNCH");
    assertThat(newest.getString("Cause")).contains("increasing the capacity from 1 to 2");
  }

  @Test
  void labStopsAndStartsAnInstancesWebServer() {
    String id = fleet().instances().get(0).id();
    Http.Resp stop = send(HttpMethod.POST, "/api/lab/instances/" + id + "/stop-web-server", null, TOKEN);
    assertThat(stop.status()).isEqualTo(200);
    assertThat(stop.json()).isEqualTo(new JsonObject().put("InstanceId", id).put("WebServer", "stopped"));
    await().atMost(WAIT).until(() -> state("fleet", id) == TargetHealth.State.UNHEALTHY);
    assertThat(runtime.targetGroups().get("fleet").target(id).health().reason())
        .isEqualTo(TargetHealth.Reason.TARGET_FAILED_HEALTH_CHECKS);
    // EC2 health checks: the instance keeps running
    assertThat(fleet().instance(id).state()).isEqualTo(InstanceState.IN_SERVICE);

    Http.Resp start = send(HttpMethod.POST, "/api/lab/instances/" + id + "/start-web-server", null, TOKEN);
    assertThat(start.json().getString("WebServer")).isEqualTo("started");
    await().atMost(WAIT).until(() -> state("fleet", id) == TargetHealth.State.HEALTHY);
  }

  @Test
  void theEventStreamCarriesRegistrationsHealthTransitionsAndScalingActivities() {
    HttpClient sse = vertx.createHttpClient();
    StringBuffer text = new StringBuffer();
    // the handler is set as the response head arrives, before any data of the stream
    HttpClientResponse resp = sse.request(new RequestOptions().setHost("127.0.0.1").setPort(admin)
        .setURI("/api/events").putHeader("Authorization", "Bearer " + TOKEN)).compose(r -> r.send().map(x -> x.handler(b -> text.append(b.toString())).exceptionHandler(e -> { })))
        .await();
    assertThat(resp.statusCode()).isEqualTo(200);
    assertThat(resp.getHeader("content-type")).isEqualTo("text/event-stream; charset=utf-8");
    await().atMost(WAIT).until(() -> runtime.admin().eventSubscribers() == 1);

    String body = new JsonObject().put("id", "api-2").put("host", "127.0.0.1").put("port", api2Port).encode();
    assertThat(send(HttpMethod.POST, "/api/target-groups/api/targets", body, TOKEN).status()).isEqualTo(200);
    await().atMost(WAIT).until(() -> text.toString().contains("\"targetId\":\"api-2\",\"host\":\"127.0.0.1\"")
        && text.toString().contains("\"current\":{\"State\":\"healthy\"}"));
    String events = text.toString();
    assertThat(events).contains("event: target-registered\ndata: {\"targetGroup\":\"api\",\"targetId\":\"api-2\"");
    assertThat(events).containsPattern("event: target-health\ndata: \\{\"targetGroup\":\"api\",\"targetId\":\"api-2\""
        + "[^\n]*\"previous\":\\{\"State\":\"initial\",\"Reason\":\"Elb.InitialHealthChecking\"");

    assertThat(send(HttpMethod.PUT, "/api/scaling-groups/fleet-asg/desired-capacity", "{\"desiredCapacity\": 2}",
        TOKEN).status()).isEqualTo(200);
    await().atMost(WAIT).until(() -> text.toString().contains("event: scaling-activity")
        && text.toString().contains("\"StatusCode\":\"Successful\""));
    assertThat(text.toString()).contains("event: desired-capacity\ndata: {\"autoScalingGroup\":\"fleet-asg\","
        + "\"previous\":1,\"current\":2");

    // a client reconnecting with Last-Event-ID gets what came after it from the buffer
    StringBuffer replay = new StringBuffer();
    sse.request(new RequestOptions().setHost("127.0.0.1").setPort(admin).setURI("/api/events")
        .putHeader("Last-Event-ID", "1").putHeader("Authorization", "Bearer " + TOKEN)).compose(r -> r.send().map(x -> x.handler(b -> replay.append(b.toString())).exceptionHandler(e -> { })))
        .await();
    await().atMost(WAIT).until(() -> replay.toString().contains("id: 2\n"));
    assertThat(replay.toString()).doesNotContain("id: 1\n");
    sse.close().await();
    await().atMost(WAIT).until(() -> runtime.admin().eventSubscribers() == 0);
  }

  // ---- the admin server over a model of its own ---------------------------------------------------------------

  /** A model without groups or lab, as a minimal embedding would have. */
  private static final AdminModel EMPTY = new EmptyAdminModel();

  @Test
  void labEndpointsAre409WithoutALab() {
    AdminServer s = AdminServer.builder(vertx, EMPTY).port(0).build();
    s.start().await();
    try {
      Http.Resp r = http.send(HttpMethod.POST, s.actualPort(), "/api/lab/instances/i-1/stop-web-server", null, null);
      assertError(r, 409, "NoLab", "lab controls are not available: this gateway runs no lab instances (they exist "
          + "with the lab command, or a scaling group using the in-process provider)");
      assertThat(http.get(s.actualPort(), "/api").json().getBoolean("Lab")).isFalse();
      assertError(http.get(s.actualPort(), "/metrics"), 404, "NotFound", "no metrics registry is configured");
    } finally {
      s.close().await();
    }
  }

  @Test
  void aSlowEventConsumerIsDisconnectedInsteadOfBuffered() {
    AdminServer s = AdminServer.builder(vertx, EMPTY).port(0).build();
    s.start().await();
    HttpClient sse = vertx.createHttpClient();
    try {
      // never reads: the socket buffers fill, then the server's write queue
      sse.request(new RequestOptions().setHost("127.0.0.1").setPort(s.actualPort()).setURI("/api/events"))
          .compose(r -> r.send().map(x -> x.exceptionHandler(e -> { }).pause())).await();
      await().atMost(WAIT).until(() -> s.eventSubscribers() == 1);
      // loopback socket buffers hold a few MB; 400 events of 64 KB are far more than they and the 64 KB queue take
      JsonObject big = new JsonObject().put("padding", "x".repeat(64 * 1024));
      for (int i = 0; i < 400 && s.droppedEventSubscribers() == 0; i++) {
        s.publish("padding", big);
      }
      await().atMost(WAIT).until(() -> s.droppedEventSubscribers() == 1);
      assertThat(s.eventSubscribers()).isZero();
    } finally {
      sse.close().await();
      s.close().await();
    }
  }

  @Test
  void eventStreamsAreLimited() {
    AdminServer s = AdminServer.builder(vertx, EMPTY).port(0).maxEventSubscribers(1).build();
    s.start().await();
    HttpClient sse = vertx.createHttpClient();
    try {
      HttpClientResponse first = sse.request(new RequestOptions().setHost("127.0.0.1").setPort(s.actualPort())
          .setURI("/api/events")).compose(r -> r.send().map(x -> x.exceptionHandler(e -> { }))).await();
      assertThat(first.statusCode()).isEqualTo(200);
      await().atMost(WAIT).until(() -> s.eventSubscribers() == 1);
      Http.Resp second = http.get(s.actualPort(), "/api/events");
      assertError(second, 503, "TooManySubscribers", "at most 1 event streams at once");
    } finally {
      sse.close().await();
      s.close().await();
    }
  }

  @Test
  void aNonLoopbackAddressWithoutATokenIsRefused() {
    assertThatThrownBy(() -> AdminServer.builder(vertx, EMPTY).host("0.0.0.0").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("admin.host: \"0.0.0.0\" (expected: a loopback address (127.0.0.1, ::1, localhost) unless "
            + "admin.token is set: the admin API changes the gateway)");
    assertThat(AdminServer.builder(vertx, EMPTY).host("0.0.0.0").token("t").build().tokenRequired()).isTrue();
  }
}
