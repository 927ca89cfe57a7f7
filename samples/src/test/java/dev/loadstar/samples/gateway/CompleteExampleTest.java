package dev.loadstar.samples.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loadstar.core.RegisteredTarget;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetHealth;
import dev.loadstar.gateway.config.GatewayConfig;
import dev.loadstar.gateway.GatewayRuntime;
import dev.loadstar.gateway.support.Http;
import dev.loadstar.gateway.support.Prometheus;
import dev.loadstar.scaling.Instance;
import dev.loadstar.scaling.ScalingGroup;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The shipped example {@code examples/complete.yaml}, loaded as a user would (its {@code ${env:...}} ports point at
 * backends on 127.0.0.1 bound to port 0), served by a {@link GatewayRuntime} and exercised through every rule, the
 * TCP listener, the admin API and the metrics.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
class CompleteExampleTest {

  private static final Duration WAIT = Duration.ofSeconds(20);

  private Vertx vertx;
  private GatewayRuntime runtime;
  private Http http;
  private int web;
  private int admin;

  private int backend(String id) {
    HttpServer s = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
      if (req.path().equals("/health")) {
        req.response().end("ok");
      } else {
        req.response().putHeader("x-backend", id).end(id + " " + req.path());
      }
    })).listen(0, "127.0.0.1").await();
    return s.actualPort();
  }

  @BeforeAll
  void start() {
    vertx = Vertx.vertx();
    Map<String, String> env = new HashMap<>();
    env.put("WEB_PORT", "0");
    env.put("TCP_PORT", "0");
    env.put("WEB_TCP_PORT", "0");
    env.put("ADMIN_PORT", "0");
    env.put("LISTENER_HOST", "127.0.0.1");
    env.put("STICKINESS_SECRET", "c2VjcmV0LWZvci10aGUtY29tcGxldGUtZXhhbXBsZQ");
    env.put("API_1_PORT", Integer.toString(backend("api-1")));
    env.put("API_2_PORT", Integer.toString(backend("api-2")));
    env.put("IMAGES_PORT", Integer.toString(backend("images-1")));
    GatewayConfig config = GatewayConfig.load(Path.of("examples/complete.yaml"), env::get);
    runtime = GatewayRuntime.create(vertx, config);
    runtime.start().await();
    http = new Http(vertx);
    web = runtime.listenerPort("web");
    admin = runtime.admin().actualPort();
    await().atMost(WAIT).until(() -> healthy("api") == 2 && healthy("images") == 1 && healthy("web") == 2
        && healthy("local") == 2 && healthy("functions") == 1);
  }

  private long healthy(String group) {
    return runtime.targetGroups().get(group).targets().stream()
        .filter(t -> t.health().state() == TargetHealth.State.HEALTHY).count();
  }

  @AfterAll
  void stop() {
    if (http != null) {
      http.close();
    }
    if (runtime != null) {
      runtime.close().await();
    }
    vertx.close().await();
  }

  @Test
  void pathRuleForwardsToBothApiTargets() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 10; i++) {
      Http.Resp r = http.get(web, "/api/orders");
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.body()).endsWith(" /api/orders");
      seen.add(r.headers().get("x-backend"));
    }
    assertThat(seen).containsExactlyInAnyOrder("api-1", "api-2");
  }

  @Test
  void hostHeaderRuleForwardsToTheDiscoveredImagesTarget() {
    Http.Resp r = http.get(web, "/logo.png", Http.headers("Host", "img.example.com"));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("images-1 /logo.png");
  }

  @Test
  void canaryHeaderForwardsByWeightAndSetsTheGroupStickinessCookie() {
    Http.Resp r = http.get(web, "/anything", Http.headers("X-Canary", "always"));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.headers().get("x-backend")).startsWith("api-");
    assertThat(r.headers().getAll("set-cookie")).anyMatch(c -> c.startsWith("LSALBTG="));
    // the rule also requires GET or HEAD
    Http.Resp post = http.send(io.vertx.core.http.HttpMethod.POST, web, "/anything", Http.headers("X-Canary",
        "always"), "x");
    assertThat(post.body()).startsWith("<h1>i-");
  }

  @Test
  void legacyPathsRedirectPermanently() {
    Http.Resp r = http.get(web, "/old/a/b?x=1");
    assertThat(r.status()).isEqualTo(301);
    assertThat(r.headers().get("location")).isEqualTo("http://127.0.0.1:" + web + "/new/old/a/b?x=1");
  }

  @Test
  void queryStringRuleFromLoopbackGivesTheFixedResponse() {
    Http.Resp r = http.get(web, "/whatever?version=V1");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.headers().get("content-type")).isEqualTo("application/json");
    assertThat(r.json()).isEqualTo(new JsonObject().put("version", "v1"));
  }

  @Test
  void defaultActionReachesTheScalingGroupsInstancesAndTheStickyCookieHoldsOne() {
    ScalingGroup asg = runtime.scalingGroups().get("web-asg");
    List<String> ids = asg.instances().stream().map(Instance::id).toList();
    assertThat(ids).hasSize(2);
    Http.Resp first = http.get(web, "/");
    assertThat(first.status()).isEqualTo(200);
    String instance = first.body().replace("<h1>", "").replace("</h1>", "");
    assertThat(ids).contains(instance);
    String cookie = first.headers().getAll("set-cookie").stream().filter(c -> c.startsWith("LSALB="))
        .findFirst().orElseThrow().split(";")[0];
    for (int i = 0; i < 6; i++) {
      Http.Resp again = http.get(web, "/", Http.headers("Cookie", cookie));
      assertThat(again.body()).isEqualTo("<h1>" + instance + "</h1>");
    }
  }

  @Test
  void tcpListenerForwardsWholeConnectionsToTheApiGroup() {
    int tcp = runtime.listenerPort("api-tcp");
    NetSocket socket = vertx.createNetClient().connect(tcp, "127.0.0.1").await();
    Buffer received = Buffer.buffer();
    io.vertx.core.Promise<Void> closed = io.vertx.core.Promise.promise();
    socket.handler(received::appendBuffer);
    socket.closeHandler(v -> closed.tryComplete());
    socket.write("GET /over-tcp HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    closed.future().await();
    assertThat(received.toString()).startsWith("HTTP/1.1 200 OK").containsPattern("api-[12] /over-tcp");
  }

  @Test
  void adminApiDescribesTheExample() {
    JsonArray rules = http.get(admin, "/api/listeners/web/rules").json().getJsonArray("Rules");
    assertThat(rules.stream().map(r -> ((JsonObject) r).getString("Priority")).toList())
        .containsExactly("10", "20", "30", "40", "50", "60", "70", "default");
    assertThat(rules.getJsonObject(0).getJsonArray("Conditions").getJsonObject(0))
        .isEqualTo(new JsonObject().put("Field", "path-pattern").put("Values", new JsonArray().add("/api/*")));
    assertThat(rules.getJsonObject(7).getJsonArray("Actions").getJsonObject(0))
        .isEqualTo(new JsonObject().put("Type", "forward").put("TargetGroupName", "web"));

    JsonObject api = http.get(admin, "/api/target-groups/api").json();
    assertThat(api.getJsonObject("Attributes").getString("load_balancing.algorithm.type"))
        .isEqualTo("least_outstanding_requests");
    assertThat(api.getJsonObject("Attributes").getString("deregistration_delay.timeout_seconds")).isEqualTo("30");
    assertThat(api.getJsonObject("HealthCheck").getString("HealthCheckPath")).isEqualTo("/health");
    assertThat(api.getInteger("HealthyHostCount")).isEqualTo(2);

    JsonArray health = http.get(admin, "/api/target-groups/api/health").json()
        .getJsonArray("TargetHealthDescriptions");
    assertThat(health.stream().map(h -> ((JsonObject) h).getJsonObject("TargetHealth").getString("State")).toList())
        .containsExactly("healthy", "healthy");

    JsonObject images = http.get(admin, "/api/target-groups/images").json();
    assertThat(images.getJsonObject("Attributes").getString("load_balancing.algorithm.anomaly_mitigation"))
        .isEqualTo("on");

    JsonObject asg = http.get(admin, "/api/scaling-groups/web-asg").json();
    assertThat(asg.getInteger("DesiredCapacity")).isEqualTo(2);
    assertThat(asg.getString("HealthCheckType")).isEqualTo("ELB");
    assertThat(asg.getJsonArray("Instances")).hasSize(2);
    JsonArray activities = http.get(admin, "/api/scaling-groups/web-asg/activities").json()
        .getJsonArray("Activities");
    assertThat(activities.stream().map(a -> ((JsonObject) a).getString("StatusCode")).toList())
        .containsExactly("Successful", "Successful");
  }

  @Test
  void metricsCountTheTrafficUnderCloudWatchNames() {
    String before = http.get(admin, "/metrics").body();
    for (int i = 0; i < 6; i++) {
      assertThat(http.get(web, "/api/m").status()).isEqualTo(200);
    }
    String after = http.get(admin, "/metrics").body();
    // api-1 and api-2 have zones, so their series carry availability_zone (CloudWatch's AvailabilityZone)
    double perTarget = delta(before, after, "RequestCountPerTarget_total{availability_zone=\"zone-a\",target=\"api-1\","
        + "target_group=\"api\"}")
        + delta(before, after, "RequestCountPerTarget_total{availability_zone=\"zone-b\",target=\"api-2\","
        + "target_group=\"api\"}");
    assertThat(perTarget).isEqualTo(6);
    assertThat(delta(before, after, "HTTPCode_Target_2XX_Count_total{target_group=\"api\"}")).isEqualTo(6);
    assertThat(delta(before, after, "RequestCount_total{listener=\"web\"}")).isEqualTo(6);
    assertThat(delta(before, after, "TargetResponseTime_seconds_count{availability_zone=\"zone-a\",target=\"api-1\","
        + "target_group=\"api\"}")
        + delta(before, after, "TargetResponseTime_seconds_count{availability_zone=\"zone-b\",target=\"api-2\","
        + "target_group=\"api\"}"))
        .isEqualTo(6);
    assertThat(Prometheus.value(after, "HealthyHostCount{target_group=\"api\"}")).hasValue(2);
    assertThat(Prometheus.value(after, "UnHealthyHostCount{target_group=\"api\"}")).hasValue(0);
    assertThat(Prometheus.value(after, "GroupDesiredCapacity{auto_scaling_group=\"web-asg\"}")).hasValue(2);
    assertThat(Prometheus.value(after, "GroupInServiceInstances{auto_scaling_group=\"web-asg\"}")).hasValue(2);
    assertThat(Prometheus.value(after, "HTTPCode_ELB_5XX_Count_total{listener=\"web\"}")).hasValue(0);
    assertThat(Prometheus.value(after, "ActiveConnectionCount{listener=\"api-tcp\"}")).hasValue(0);
  }

  private static double delta(String before, String after, String series) {
    assertThat(Prometheus.value(after, series)).as(series).isPresent();
    return Prometheus.valueOrZero(after, series) - Prometheus.valueOrZero(before, series);
  }

  @Test
  void lambdaTargetsAnswerInProcessInTurn() {
    Set<String> bodies = new HashSet<>();
    for (int i = 0; i < 4; i++) {
      Http.Resp r = http.get(web, "/fn/x?y=1");
      assertThat(r.status()).isEqualTo(200);
      bodies.add(r.body());
    }
    assertThat(bodies).containsExactlyInAnyOrder("hello from loadstar", "GET /fn/x?y=1");
    Http.Resp echoed = http.send(io.vertx.core.http.HttpMethod.POST, web, "/fn/echo", Http.headers("Content-Type",
        "application/json"), "{\"a\":1}");
    assertThat(echoed.status()).isEqualTo(200);
    assertThat(echoed.body()).isIn("{\"a\":1}", "hello from loadstar");
  }

  @Test
  void withCrossZoneOffTheGatewaysZoneKeepsRequestsInZoneA() {
    for (int i = 0; i < 6; i++) {
      Http.Resp r = http.get(web, "/local/x");
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.headers().get("x-backend")).as("local-a is api-1's server, in zone-a").isEqualTo("api-1");
    }
  }

  @Test
  void theTcpListenerReachesTheWebListenerThroughItsAlbTarget() {
    int port = runtime.listenerPort("web-tcp");
    Http.Resp r = http.get(port, "/api/nested");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).matches("api-[12] /api/nested");
    assertThat(http.get(port, "/old/a").headers().get("location")).as("the web listener's rules apply")
        .isEqualTo("http://127.0.0.1:" + port + "/new/old/a");
  }

  @Test
  void describeShowsTargetTypesZonesAndTheScalingGroupsSpread() {
    JsonObject functions = http.get(admin, "/api/target-groups/functions/health").json();
    Map<String, JsonObject> rows = new HashMap<>();
    functions.getJsonArray("TargetHealthDescriptions").forEach(o -> rows.put(((JsonObject) o)
        .getJsonObject("Target").getString("Id"), (JsonObject) o));
    assertThat(rows.get("hello-fn").getString("TargetType")).isEqualTo("lambda");
    assertThat(rows.get("hello-fn").getJsonObject("TargetHealth").getString("State")).isEqualTo("healthy");
    assertThat(rows.get("echo-fn").getJsonObject("TargetHealth").getString("State")).isEqualTo("unavailable");
    JsonObject viaWeb = http.get(admin, "/api/target-groups/via-web/health").json()
        .getJsonArray("TargetHealthDescriptions").getJsonObject(0);
    assertThat(viaWeb.getString("TargetType")).isEqualTo("alb");
    assertThat(viaWeb.getJsonObject("Target").getInteger("Port")).isEqualTo(web);
    JsonObject local = http.get(admin, "/api/target-groups/local/health").json();
    assertThat(local.getJsonArray("TargetHealthDescriptions").getJsonObject(0).getString("TargetType"))
        .isEqualTo("ip");
    assertThat(local.getJsonArray("AvailabilityZones").stream().map(z -> ((JsonObject) z).getString("ZoneName")
        + ":" + ((JsonObject) z).getInteger("HealthyHostCount")).toList()).containsExactly("zone-a:1", "zone-b:1");
    ScalingGroup asg = runtime.scalingGroups().get("web-asg");
    assertThat(asg.instances().stream().map(Instance::zone).sorted().toList()).containsExactly("zone-a", "zone-b");
    assertThat(http.get(admin, "/metrics").body()).contains(
        "HealthyHostCount{availability_zone=\"zone-a\",target_group=\"local\"} 1.0");
  }

  @Test
  void everyTargetGroupOfTheExampleIsServing() {
    Map<String, TargetGroup> groups = runtime.targetGroups();
    assertThat(groups).containsOnlyKeys("web", "api", "images", "functions", "local", "via-web");
    for (TargetGroup g : groups.values()) {
      assertThat(g.targets()).allMatch(RegisteredTarget::isActive);
      assertThat(g.isFailingOpen()).isFalse();
    }
  }
}
