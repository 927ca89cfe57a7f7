package dev.loadstar.routing.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loadstar.core.LoadBalancedClient;
import dev.loadstar.core.LoadBalancedClientOptions;
import dev.loadstar.core.LoadBalancedResponse;
import dev.loadstar.core.Target;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetGroupConfig;
import dev.loadstar.core.TargetHealth;
import dev.loadstar.core.ZoneHealthDescription;
import dev.loadstar.healthcheck.DescribeTargetHealth;
import dev.loadstar.healthcheck.HealthCheck;
import dev.loadstar.healthcheck.HealthChecker;
import dev.loadstar.healthcheck.OutlierDetection;
import dev.loadstar.routing.Action;
import dev.loadstar.routing.ListenerConfig;
import dev.loadstar.routing.RuleSet;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Availability zones end to end: a balancer in zone-a, targets in zone-a and zone-b. */
class ZoneRoutingTest {

  private final GatewayFixture f = new GatewayFixture();
  private final AtomicBoolean zoneAHealthy = new AtomicBoolean(true);
  private HealthChecker checker;
  private LoadBalancedClient client;

  @AfterEach
  void tearDown() {
    if (checker != null) {
      checker.close().await();
    }
    if (client != null) {
      client.close().await();
    }
    f.close();
  }

  /** A backend answering with its id; its {@code /health} answers 503 while its zone is marked unhealthy. */
  private int backend(String id, AtomicBoolean healthy) {
    HttpServer s = f.vertx.createHttpServer().requestHandler(req -> {
      if (req.path().equals("/health")) {
        req.response().setStatusCode(healthy.get() ? 200 : 503).end();
      } else {
        req.response().putHeader("x-instance", id).end(id);
      }
    }).listen(0, "127.0.0.1").await();
    return s.actualPort();
  }

  /** Group "web": a1, a2 in zone-a (health switchable), b1, b2 in zone-b. */
  private TargetGroup web(boolean crossZone, boolean checked) {
    AtomicBoolean always = new AtomicBoolean(true);
    TargetGroup g = TargetGroup.create(f.vertx, TargetGroupConfig.builder("web").crossZoneEnabled(crossZone)
        .healthCheckEnabled(checked).build());
    g.register(List.of(
        Target.builder("a1", "127.0.0.1", backend("a1", zoneAHealthy)).zone("zone-a").build(),
        Target.builder("a2", "127.0.0.1", backend("a2", zoneAHealthy)).zone("zone-a").build(),
        Target.builder("b1", "127.0.0.1", backend("b1", always)).zone("zone-b").build(),
        Target.builder("b2", "127.0.0.1", backend("b2", always)).zone("zone-b").build()));
    f.groups.put("web", g);
    return g;
  }

  private LoadBalancedClient client(TargetGroup g, String zone) {
    client = LoadBalancedClient.create(f.vertx, new LoadBalancedClientOptions().setLocalZone(zone));
    client.addTargetGroup(g);
    return client;
  }

  @Test
  void aCallerInZoneAWithCrossZoneOffReachesOnlyZoneATargetsThroughGatewayAndClient() {
    TargetGroup g = web(false, false);
    f.start(RuleSet.of(Action.forward("web")), ListenerConfig.builder().localZone("zone-a"));
    Set<String> viaGateway = new HashSet<>();
    for (int i = 0; i < 20; i++) {
      viaGateway.add(f.get("/").body());
    }
    assertThat(viaGateway).containsExactlyInAnyOrder("a1", "a2");
    assertThat(f.listener.stats().forwardedByZone()).isEqualTo(Map.of("zone-a", 20L));
    Set<String> viaClient = new HashSet<>();
    LoadBalancedClient c = client(g, "zone-a");
    for (int i = 0; i < 20; i++) {
      viaClient.add(c.get("web", "/").send().await().bodyAsString());
    }
    assertThat(viaClient).containsExactlyInAnyOrder("a1", "a2");
    // describe output carries the zone
    JsonObject row = DescribeTargetHealth.toJson(g, HealthCheck.defaults()).getJsonArray("TargetHealthDescriptions")
        .getJsonObject(2);
    assertThat(row.getJsonObject("Target").getString("AvailabilityZone")).isEqualTo("zone-b");
    assertThat(g.describeZones()).extracting(ZoneHealthDescription::zone, ZoneHealthDescription::requests)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("zone-a", 40L),
            org.assertj.core.groups.Tuple.tuple("zone-b", 0L));
  }

  @Test
  void crossZoneOnSpreadsACallerInZoneAOverEveryZone() {
    TargetGroup g = web(true, false);
    f.start(RuleSet.of(Action.forward("web")), ListenerConfig.builder().localZone("zone-a"));
    List<String> served = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      served.add(f.get("/").body());
    }
    assertThat(new HashSet<>(served)).containsExactlyInAnyOrder("a1", "a2", "b1", "b2");
    assertThat(f.listener.stats().forwardedByZone()).isEqualTo(Map.of("zone-a", 4L, "zone-b", 4L));
    LoadBalancedClient c = client(g, "zone-a");
    Set<String> viaClient = new HashSet<>();
    for (int i = 0; i < 8; i++) {
      viaClient.add(c.get("web", "/").send().await().bodyAsString());
    }
    assertThat(viaClient).containsExactlyInAnyOrder("a1", "a2", "b1", "b2");
  }

  @Test
  void whenEveryZoneATargetTurnsUnhealthyZoneBServesWithZeroFailedRequests() {
    TargetGroup g = web(false, true);
    // a failing zone answers its checks with a 503 at once; ten failures in a row (2 s) turn a target unhealthy, so
    // a loaded machine timing out a few 150 ms checks of a serving target does not take it out
    checker = HealthChecker.start(f.vertx, g, HealthCheck.builder().embedded(true).path("/health")
        .interval(Duration.ofMillis(200)).timeout(Duration.ofMillis(150)).healthyThresholdCount(2)
        .unhealthyThresholdCount(10).build(), OutlierDetection.disabled());
    await().atMost(Duration.ofSeconds(10)).until(() -> g.targets().stream()
        .allMatch(t -> t.health().state() == TargetHealth.State.HEALTHY));
    f.start(RuleSet.of(Action.forward("web")), ListenerConfig.builder().localZone("zone-a"));
    LoadBalancedClient c = client(g, "zone-a");
    int failed = 0;
    List<String> served = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      served.add(f.get("/").body());
      served.add(c.get("web", "/").send().await().bodyAsString());
    }
    assertThat(new HashSet<>(served)).containsExactlyInAnyOrder("a1", "a2");
    // zone-a starts failing its health checks while traffic keeps flowing
    zoneAHealthy.set(false);
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    int consecutiveZoneB = 0;
    while (consecutiveZoneB < 20) {
      assertThat(System.nanoTime()).as("zone-b takes over within 15 s").isLessThan(deadline);
      GatewayFixture.Resp viaGateway = f.get("/");
      LoadBalancedResponse viaClient = c.get("web", "/").send().await();
      if (viaGateway.status() != 200 || viaClient.statusCode() != 200) {
        failed++;
      }
      boolean bothInB = viaGateway.body().startsWith("b") && viaClient.bodyAsString().startsWith("b");
      consecutiveZoneB = bothInB ? consecutiveZoneB + 1 : 0;
    }
    assertThat(failed).isZero();
    assertThat(g.describeZones().get(0).servingLocally()).isFalse();
    assertThat(g.isFailingOpen()).isFalse();
    // zone-a recovers: its callers come back to it
    zoneAHealthy.set(true);
    await().atMost(Duration.ofSeconds(15)).until(() -> f.get("/").body().startsWith("a"));
    // each zone-a target turns healthy on its own checks: wait for both before expecting both to serve
    await().atMost(Duration.ofSeconds(15)).until(() -> g.targets().stream()
        .allMatch(t -> t.health().state() == TargetHealth.State.HEALTHY));
    Set<String> back = new HashSet<>();
    for (int i = 0; i < 10; i++) {
      back.add(c.get("web", "/").send().await().bodyAsString());
    }
    assertThat(back).containsExactlyInAnyOrder("a1", "a2");
  }
}
