package dev.loadstar.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetHealth;
import dev.loadstar.gateway.config.GatewayConfig;
import dev.loadstar.gateway.support.Http;
import dev.loadstar.gateway.support.Prometheus;
import dev.loadstar.scaling.Instance;
import dev.loadstar.scaling.InstanceState;
import dev.loadstar.scaling.ScalingGroup;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Target kinds and zones from a configuration file, served by a {@link GatewayRuntime} over real servers on
 * 127.0.0.1: a function target taking its turn with two HTTP targets, a TCP listener in front of an HTTP listener, a
 * zoned group with cross-zone load balancing off behind listeners in zones a and b, the describe output and metrics
 * by zone, and a scaling group spread over three zones.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(90)
class TargetKindsGatewayTest {

  private static final Duration WAIT = Duration.ofSeconds(20);

  // Health checks are frequent so the targets are healthy soon, and need 10 failures in a row (5 s) to turn a target
  // unhealthy, so a loaded machine missing a few checks does not change the routing the tests assert.
  private static final String CONFIG = """
      admin: {port: 0}
      zone: a
      listeners:
        - name: app
          host: 127.0.0.1
          port: 0
          rules:
            - priority: 1
              conditions: [{field: path-pattern, values: ["/zoned/*"]}]
              actions: [{type: forward, targetGroupName: zoned}]
          defaultActions: [{type: forward, targetGroupName: mixed}]
        - name: app-b
          host: 127.0.0.1
          port: 0
          zone: b
          defaultActions: [{type: forward, targetGroupName: zoned}]
        - name: front
          protocol: TCP
          host: 127.0.0.1
          port: 0
          defaultActions: [{type: forward, targetGroupName: to-app}]
      targetGroups:
        - name: mixed
          healthCheck: {intervalSeconds: 0.5, timeoutSeconds: 0.4, embedded: true, unhealthyThresholdCount: 10}
          targets:
            - {id: web-1, host: 127.0.0.1, port: "${env:WEB_1}"}
            - {id: web-2, host: 127.0.0.1, port: "${env:WEB_2}"}
            - {id: greeter, type: lambda, function: greet}
        - name: zoned
          attributes:
            load_balancing.cross_zone.enabled: false
          healthCheck: {intervalSeconds: 0.5, timeoutSeconds: 0.4, embedded: true, unhealthyThresholdCount: 10}
          targets:
            - {id: a-1, host: 127.0.0.1, port: "${env:A_1}", zone: a}
            - {id: a-2, host: 127.0.0.1, port: "${env:A_2}", zone: a}
            - {id: b-1, host: 127.0.0.1, port: "${env:B_1}", zone: b}
        - name: to-app
          targets:
            - {id: app-listener, type: alb, listener: app}
        - name: fleet
          healthCheck: {intervalSeconds: 0.5, timeoutSeconds: 0.4, embedded: true, unhealthyThresholdCount: 10}
      scalingGroups:
        - name: spread
          launchTemplate:
            provider: in-process
            parameters: {body: "${instanceId} in ${zone}"}
          availabilityZones: [a, b, c]
          minSize: 6
          desiredCapacity: 6
          maxSize: 6
          targetGroups: [fleet]
      """;

  private Vertx vertx;
  private GatewayRuntime runtime;
  private Http http;
  private int app;
  private int admin;
  /** Requests a listener forwarded (health checks carry no X-Forwarded-For) each backend answered, by target id. */
  private final Map<String, AtomicLong> answered = new ConcurrentHashMap<>();

  private int backend(String id) {
    AtomicLong count = answered.computeIfAbsent(id, k -> new AtomicLong());
    HttpServer s = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
      if (req.getHeader("x-forwarded-for") != null) {
        count.incrementAndGet();
      }
      req.response().end(id);
    })).listen(0, "127.0.0.1").await();
    return s.actualPort();
  }

  @BeforeAll
  void start() {
    vertx = Vertx.vertx();
    Map<String, String> env = new HashMap<>();
    for (String id : List.of("web-1", "web-2", "a-1", "a-2", "b-1")) {
      env.put(id.toUpperCase().replace('-', '_'), Integer.toString(backend(id)));
    }
    FunctionRegistry functions = FunctionRegistry.builder()
        .register("greet", r -> io.vertx.core.Future.succeededFuture(
            dev.loadstar.core.FunctionResponse.ok("greeter"))).build();
    GatewayConfig.Result result = GatewayConfig.validate(CONFIG, "kinds.yaml", false, env::get, functions);
    assertThat(result.errors()).isEmpty();
    GatewayConfig config = result.config();
    runtime = GatewayRuntime.builder(vertx, config).functions(functions).build();
    runtime.start().await();
    http = new Http(vertx);
    app = runtime.listenerPort("app");
    admin = runtime.admin().actualPort();
    await().atMost(WAIT).until(() -> healthy("mixed") == 2 && healthy("zoned") == 3 && healthy("fleet") == 6);
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
  void aFunctionTargetTakesItsTurnInRoundRobinWithTwoHttpTargets() {
    List<String> answers = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      Http.Resp r = http.get(app, "/");
      assertThat(r.status()).isEqualTo(200);
      answers.add(r.body());
    }
    assertThat(answers.subList(0, 3)).containsExactlyInAnyOrder("web-1", "web-2", "greeter");
    for (int i = 3; i < answers.size(); i++) {
      assertThat(answers.get(i)).as("request %d repeats request %d: round robin over three targets", i, i - 3)
          .isEqualTo(answers.get(i - 3));
    }
  }

  @Test
  void aTcpListenerInFrontOfTheHttpListenerIsReachedByAnHttpClient() {
    int front = runtime.listenerPort("front");
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 6; i++) {
      Http.Resp r = http.get(front, "/via-tcp");
      assertThat(r.status()).isEqualTo(200);
      seen.add(r.body());
    }
    assertThat(seen).isSubsetOf("web-1", "web-2", "greeter").isNotEmpty();
    Http.Resp zoned = http.get(front, "/zoned/x");
    assertThat(zoned.body()).as("the HTTP listener's rules apply behind the TCP listener").isIn("a-1", "a-2");
  }

  @Test
  void withCrossZoneOffEachListenerSendsOnlyToTargetsInItsZone() {
    Set<String> fromA = new HashSet<>();
    for (int i = 0; i < 10; i++) {
      fromA.add(http.get(app, "/zoned/x").body());
    }
    assertThat(fromA).as("the gateway's zone is a").containsExactlyInAnyOrder("a-1", "a-2");
    int appB = runtime.listenerPort("app-b");
    Set<String> fromB = new HashSet<>();
    for (int i = 0; i < 4; i++) {
      fromB.add(http.get(appB, "/").body());
    }
    assertThat(fromB).as("listener app-b has zone b").containsExactly("b-1");
  }

  @Test
  void describeTargetHealthShowsEachTargetsTypeAndZoneAndTheGroupByZone() {
    JsonObject mixed = http.get(admin, "/api/target-groups/mixed/health").json();
    Map<String, JsonObject> rows = rows(mixed);
    assertThat(rows.get("web-1").getString("TargetType")).isEqualTo("instance");
    assertThat(rows.get("greeter").getString("TargetType")).isEqualTo("lambda");
    assertThat(rows.get("greeter").getJsonObject("Target")).isEqualTo(new JsonObject().put("Id", "greeter"));
    assertThat(rows.get("greeter").getJsonObject("TargetHealth").getString("State")).isEqualTo("unavailable");
    assertThat(mixed.getJsonArray("AvailabilityZones")).isEmpty();

    JsonObject toApp = http.get(admin, "/api/target-groups/to-app/health").json();
    JsonObject listenerRow = rows(toApp).get("app-listener");
    assertThat(listenerRow.getString("TargetType")).isEqualTo("alb");
    assertThat(listenerRow.getJsonObject("Target").getInteger("Port")).isEqualTo(app);

    JsonObject zoned = http.get(admin, "/api/target-groups/zoned/health").json();
    assertThat(rows(zoned).get("b-1").getJsonObject("Target").getString("AvailabilityZone")).isEqualTo("b");
    assertThat(zoned.getJsonArray("AvailabilityZones")).containsExactly(
        new JsonObject().put("ZoneName", "a").put("RegisteredTargetCount", 2).put("HealthyHostCount", 2)
            .put("UnHealthyHostCount", 0).put("ServingLocally", true),
        new JsonObject().put("ZoneName", "b").put("RegisteredTargetCount", 1).put("HealthyHostCount", 1)
            .put("UnHealthyHostCount", 0).put("ServingLocally", true));
    JsonObject group = http.get(admin, "/api/target-groups/zoned").json();
    assertThat(group.getJsonObject("Attributes").getString("load_balancing.cross_zone.enabled")).isEqualTo("false");
    assertThat(group.getJsonArray("AvailabilityZones")).isEqualTo(zoned.getJsonArray("AvailabilityZones"));
  }

  private static Map<String, JsonObject> rows(JsonObject describe) {
    JsonArray rows = describe.getJsonArray("TargetHealthDescriptions");
    Map<String, JsonObject> out = new TreeMap<>();
    for (int i = 0; i < rows.size(); i++) {
      out.put(rows.getJsonObject(i).getJsonObject("Target").getString("Id"), rows.getJsonObject(i));
    }
    return out;
  }

  @Test
  void metricsCarryTheZoneOfTargetsAndCountHostsPerZone() {
    // A target's request count grows when the listener ends the attempt, which may follow the client's response,
    // and earlier tests sent requests to these targets too: the baseline is taken once every request the zoned
    // backends answered so far is counted, and the counts after once this test's four are.
    String before = await().atMost(WAIT).until(() -> http.get(admin, "/metrics").body(), this::countsEveryAnswer);
    for (int i = 0; i < 4; i++) {
      assertThat(http.get(app, "/zoned/m").status()).isEqualTo(200);
    }
    String after = await().atMost(WAIT).until(() -> http.get(admin, "/metrics").body(), this::countsEveryAnswer);
    assertThat(inZoneA(before, after)).isEqualTo(4);
    assertThat(delta(before, after, "RequestCountPerTarget_total{availability_zone=\"b\",target=\"b-1\","
        + "target_group=\"zoned\"}")).isZero();
    assertThat(Prometheus.value(after, "HealthyHostCount{availability_zone=\"a\",target_group=\"zoned\"}"))
        .hasValue(2);
    assertThat(Prometheus.value(after, "HealthyHostCount{availability_zone=\"b\",target_group=\"zoned\"}"))
        .hasValue(1);
    assertThat(Prometheus.value(after, "UnHealthyHostCount{availability_zone=\"a\",target_group=\"zoned\"}"))
        .hasValue(0);
    assertThat(Prometheus.value(after, "HealthyHostCount{target_group=\"zoned\"}")).as("the group total stays")
        .hasValue(3);
    assertThat(Prometheus.value(after, "RequestCountPerTarget_total{target=\"web-1\",target_group=\"mixed\"}"))
        .as("targets without a zone keep their series").isPresent();
  }

  /** Whether {@code metrics} count exactly the requests each zoned backend has answered. */
  private boolean countsEveryAnswer(String metrics) {
    for (String id : List.of("a-1", "a-2", "b-1")) {
      String series = "RequestCountPerTarget_total{availability_zone=\"" + id.charAt(0) + "\",target=\"" + id
          + "\",target_group=\"zoned\"}";
      if (Prometheus.valueOrZero(metrics, series) != answered.get(id).get()) {
        return false;
      }
    }
    return true;
  }

  private static double inZoneA(String before, String after) {
    return delta(before, after, "RequestCountPerTarget_total{availability_zone=\"a\",target=\"a-1\","
        + "target_group=\"zoned\"}")
        + delta(before, after, "RequestCountPerTarget_total{availability_zone=\"a\",target=\"a-2\","
        + "target_group=\"zoned\"}");
  }

  private static double delta(String before, String after, String series) {
    assertThat(Prometheus.value(after, series)).as(series).isPresent();
    return Prometheus.valueOrZero(after, series) - Prometheus.valueOrZero(before, series);
  }

  @Test
  void aScalingGroupOverThreeZonesRunsTwoInstancesInEach() {
    ScalingGroup spread = runtime.scalingGroups().get("spread");
    await().atMost(WAIT).until(() -> spread.instances().stream()
        .filter(i -> i.state() == InstanceState.IN_SERVICE).count() == 6);
    Map<String, Long> byZone = spread.instances().stream()
        .collect(Collectors.groupingBy(Instance::zone, TreeMap::new, Collectors.counting()));
    assertThat(byZone).containsExactly(Map.entry("a", 2L), Map.entry("b", 2L), Map.entry("c", 2L));
    TargetGroup fleet = runtime.targetGroups().get("fleet");
    assertThat(fleet.targets()).allSatisfy(t -> assertThat(t.target().zone())
        .isEqualTo(spread.instances().stream().filter(i -> i.id().equals(t.target().id())).findFirst()
            .orElseThrow().zone()));
    JsonArray zones = http.get(admin, "/api/target-groups/fleet").json().getJsonArray("AvailabilityZones");
    assertThat(zones.stream().map(z -> ((JsonObject) z).getString("ZoneName") + "="
        + ((JsonObject) z).getInteger("RegisteredTargetCount")).sorted().toList()).containsExactly("a=2", "b=2", "c=2");
    Instance one = spread.instances().get(0);
    assertThat(http.get(one.port(), "/").body()).isEqualTo(one.id() + " in " + one.zone());
  }
}
