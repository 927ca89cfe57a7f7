package dev.loadstar.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loadstar.core.LoadBalancedClient;
import dev.loadstar.core.Target;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetGroupConfig;
import dev.loadstar.core.TargetHealth;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The Micrometer binding as a client-only application uses it: a LoadBalancedClient, no gateway. */
class TargetGroupMetricsTest {

  private final Vertx vertx = Vertx.vertx();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  /** Bound to the refusing port and never listening: no other process can take the port while the test runs. */
  private final Socket refusing = new Socket();

  @AfterEach
  void tearDown() throws Exception {
    vertx.close().await();
    refusing.close();
  }

  private int server(int status) {
    HttpServer s = vertx.createHttpServer().requestHandler(r -> r.response().setStatusCode(status).end("x"))
        .listen(0, "127.0.0.1").await();
    return s.actualPort();
  }

  /** A port on 127.0.0.1 that refuses connections until the test ends. */
  private int refusingPort() throws Exception {
    refusing.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
    return refusing.getLocalPort();
  }

  private double count(String name, String target) {
    return registry.get(name).tag("target_group", "api").tag("target", target).counter().count();
  }

  private double errors(String target, String error) {
    return registry.get(TargetGroupMetrics.TARGET_ERROR_COUNT).tag("target", target).tag("error", error).counter()
        .count();
  }

  @Test
  void aClientOnlyApplicationCountsRequestsResponseTimeAndErrorsPerTarget() throws Exception {
    TargetGroup group = TargetGroup.create(vertx, TargetGroupConfig.builder("api").build());
    group.register(Target.builder("ok", "127.0.0.1", server(200)).zone("zone-a").build());
    group.register(Target.of("boom", "127.0.0.1", server(503)));
    group.register(Target.of("dead", "127.0.0.1", refusingPort()));
    TargetGroupMetrics metrics = TargetGroupMetrics.bind(group, registry);
    LoadBalancedClient client = LoadBalancedClient.create(vertx).addTargetGroup(group);
    int sent = 30;
    for (int i = 0; i < sent; i++) {
      client.get("api", "/").send().await();
    }

    double ok = count("RequestCountPerTarget", "ok");
    double boom = count("RequestCountPerTarget", "boom");
    double dead = count("RequestCountPerTarget", "dead");
    assertThat(ok).isPositive();
    assertThat(boom).isPositive();
    assertThat(dead).isPositive();
    // every request that reached the dead target was retried elsewhere: each ended on ok or boom
    assertThat(ok + boom).isEqualTo(sent);
    assertThat(registry.get("RequestCountPerTarget").tag("target", "ok").tag("availability_zone", "zone-a")
        .counter().count()).isEqualTo(ok);
    assertThat(registry.get("TargetResponseTime").tag("target", "ok").timer().count()).isEqualTo((long) ok);
    assertThat(registry.get("TargetResponseTime").tag("target", "boom").timer().count()).isEqualTo((long) boom);
    assertThat(registry.get("TargetResponseTime").tag("target", "dead").timer().count()).isZero();
    assertThat(count("TargetConnectionErrorCount", "dead")).isEqualTo(dead);
    assertThat(count("TargetConnectionErrorCount", "ok")).isZero();
    assertThat(errors("dead", "connect_failure")).isEqualTo(dead);
    assertThat(errors("boom", "target_5xx")).isEqualTo(boom);
    assertThat(errors("ok", "target_5xx")).isZero();
    assertThat(errors("ok", "timeout")).isZero();
    assertThat(errors("ok", "reset")).isZero();

    metrics.close();
    client.close().await();
  }

  @Test
  void hostCountsFollowTheGroupsHealthPerGroupAndPerZone() {
    TargetGroup group = TargetGroup.create(vertx, TargetGroupConfig.builder("api").build());
    group.register(Target.builder("a", "127.0.0.1", 1).zone("zone-a").build());
    group.register(Target.builder("b", "127.0.0.1", 2).zone("zone-a").build());
    group.register(Target.builder("c", "127.0.0.1", 3).zone("zone-b").build());
    TargetGroupMetrics.bind(group, registry);
    assertThat(gauge("HealthyHostCount", null)).isEqualTo(3.0);
    assertThat(gauge("UnHealthyHostCount", null)).isZero();

    group.updateHealth("b", TargetHealth.unhealthy(TargetHealth.Reason.TARGET_TIMEOUT, "timed out"));
    assertThat(gauge("HealthyHostCount", null)).isEqualTo(2.0);
    assertThat(gauge("UnHealthyHostCount", null)).isEqualTo(1.0);
    assertThat(gauge("HealthyHostCount", "zone-a")).isEqualTo(1.0);
    assertThat(gauge("UnHealthyHostCount", "zone-a")).isEqualTo(1.0);
    assertThat(gauge("HealthyHostCount", "zone-b")).isEqualTo(1.0);
  }

  private double gauge(String name, String zone) {
    var search = registry.find(name).tag("target_group", "api");
    if (zone == null) {
      return search.gauges().stream().filter(g -> g.getId().getTag("availability_zone") == null).findFirst()
          .orElseThrow().value();
    }
    return search.tag("availability_zone", zone).gauge().value();
  }

  @Test
  void aTargetsMetersGoWhenItLeavesAndCloseRemovesEveryMeter() {
    TargetGroup group = TargetGroup.create(vertx, TargetGroupConfig.builder("api").deregistrationDelay(
        Duration.ZERO).build());
    group.register(Target.of("a", "127.0.0.1", 1));
    TargetGroupMetrics metrics = TargetGroupMetrics.bind(group, registry);
    group.register(Target.of("late", "127.0.0.1", 2));
    assertThat(registry.find("RequestCountPerTarget").tag("target", "late").counter()).isNotNull();
    group.deregister("late");
    await().atMost(Duration.ofSeconds(10))
        .until(() -> registry.find("RequestCountPerTarget").tag("target", "late").counter() == null);
    assertThat(registry.find("RequestCountPerTarget").tag("target", "a").counter()).isNotNull();

    metrics.close();
    metrics.close();
    assertThat(registry.getMeters()).isEmpty();
    group.register(Target.of("after", "127.0.0.1", 3));
    assertThat(registry.getMeters()).isEmpty();
  }
}
