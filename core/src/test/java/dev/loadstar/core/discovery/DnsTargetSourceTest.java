package dev.loadstar.core.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loadstar.core.RegisteredTarget;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetGroupConfig;
import dev.loadstar.core.discovery.DnsSourceOptions.RecordType;
import dev.loadstar.core.discovery.TargetSourceStatus.State;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DnsTargetSourceTest {

  private Vertx vertx;
  private TestDnsServer dns;
  private TargetGroup group;
  private TargetDiscovery discovery;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    dns = new TestDnsServer(vertx).start();
    group = TargetGroup.create(vertx, TargetGroupConfig.builder("api").deregistrationDelay(Duration.ZERO).build());
  }

  @AfterEach
  void tearDown() {
    if (discovery != null) {
      discovery.close().await();
    }
    group.close().await();
    dns.stop();
    vertx.close().await();
  }

  private DnsSourceOptions options(String hostname) {
    return new DnsSourceOptions().setHostname(hostname)
        .setServerHost("127.0.0.1").setServerPort(dns.port())
        .setQueryTimeout(Duration.ofMillis(300))
        .setRefreshInterval(Duration.ofMillis(100))
        .setMinTtl(Duration.ofMillis(100))
        .setRetryInitialDelay(Duration.ofMillis(100))
        .setRetryMaxDelay(Duration.ofMillis(200));
  }

  private TargetDiscovery start(DnsSourceOptions options) {
    discovery = TargetDiscovery.start(vertx, group, DiscoveryConfig.builder()
        .addSource(TargetSource.dns(options))
        .removalDelay(Duration.ZERO)
        .build());
    return discovery;
  }

  private Set<String> ids() {
    return group.targets().stream().map(t -> t.target().id()).collect(Collectors.toSet());
  }

  private Map<String, Integer> weights() {
    return group.targets().stream()
        .collect(Collectors.toMap(t -> t.target().id(), t -> t.target().weight(), (a, b) -> a, TreeMap::new));
  }

  @Test
  void followsChangingARecordsAndKeepsTheLastKnownGoodSetWhileTheServerIsDown() {
    dns.a("api.test", 0, "127.0.0.1", "127.0.0.2");
    start(options("api.test").setPort(8080));
    discovery.whenReady(Duration.ofSeconds(10)).await();
    assertThat(ids()).containsExactlyInAnyOrder("127.0.0.1:8080", "127.0.0.2:8080");
    TargetSourceStatus ok = discovery.status("dns");
    assertThat(ok.state()).isEqualTo(State.OK);
    assertThat(ok.targetCount()).isEqualTo(2);
    assertThat(ok.description()).isEqualTo("A api.test port 8080 via 127.0.0.1:" + dns.port());
    assertThat(Duration.between(ok.lastSuccess(), ok.nextAttempt())).isEqualTo(Duration.ofMillis(100));

    dns.a("api.test", 0, "127.0.0.2", "127.0.0.3");
    await().atMost(Duration.ofSeconds(10))
        .until(() -> ids().equals(Set.of("127.0.0.2:8080", "127.0.0.3:8080")));

    dns.stop();
    await().atMost(Duration.ofSeconds(10)).until(() -> discovery.status("dns").state() == State.FAILING);
    TargetSourceStatus failing = discovery.status("dns");
    assertThat(failing.lastError()).isEqualTo("A api.test port 8080 via 127.0.0.1:" + dns.port()
        + ": no answer within the query timeout, 300ms");
    assertThat(failing.consecutiveFailures()).isGreaterThanOrEqualTo(1);
    assertThat(failing.targetCount()).isEqualTo(2);
    assertThat(failing.lastSuccess()).isNotNull();
    assertThat(discovery.describe())
        .contains("dns (dns: A api.test port 8080 via 127.0.0.1:" + dns.port() + "): failing, 2 targets "
            + "(last known good)")
        .contains(failing.lastError());
    // A later failure never empties the group.
    int failures = failing.consecutiveFailures();
    await().atMost(Duration.ofSeconds(10)).until(() -> discovery.status("dns").consecutiveFailures() > failures);
    assertThat(ids()).containsExactlyInAnyOrder("127.0.0.2:8080", "127.0.0.3:8080");

    dns.a("api.test", 0, "127.0.0.4");
    dns.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> ids().equals(Set.of("127.0.0.4:8080")));
    TargetSourceStatus recovered = discovery.status("dns");
    assertThat(recovered.state()).isEqualTo(State.OK);
    assertThat(recovered.consecutiveFailures()).isZero();
    assertThat(recovered.lastError()).isEqualTo(failing.lastError());
  }

  @Test
  void srvRecordsGivePortsWeightsAndTheBestPriorityAndFollowChangesOnTheirTtl() {
    dns.a("node1.test", 0, "127.0.0.1");
    dns.a("node2.test", 0, "127.0.0.2");
    dns.a("backup.test", 0, "127.0.0.9");
    dns.srv("_http._tcp.api.test", 0,
        new TestDnsServer.Srv(10, 3, 8081, "node1.test"),
        new TestDnsServer.Srv(10, 1, 8082, "node2.test"),
        new TestDnsServer.Srv(20, 5, 8089, "backup.test"));
    start(options("_http._tcp.api.test").setRecordType(RecordType.SRV));
    discovery.whenReady(Duration.ofSeconds(10)).await();
    assertThat(weights()).containsExactly(Map.entry("127.0.0.1:8081", 3), Map.entry("127.0.0.2:8082", 1));
    TargetSourceStatus first = discovery.status("dns");
    // TTL 0 is bounded below by minTtl.
    assertThat(Duration.between(first.lastSuccess(), first.nextAttempt())).isEqualTo(Duration.ofMillis(100));

    // New ports, weights, a target moving address, the backup promoted; TTL 7 s.
    dns.a("node2.test", 0, "127.0.0.3");
    dns.srv("_http._tcp.api.test", 7,
        new TestDnsServer.Srv(10, 2, 9091, "node1.test"),
        new TestDnsServer.Srv(10, 6, 8082, "node2.test"),
        new TestDnsServer.Srv(10, 1, 8089, "backup.test"));
    await().atMost(Duration.ofSeconds(10)).until(() -> weights().equals(
        Map.of("127.0.0.1:9091", 2, "127.0.0.3:8082", 6, "127.0.0.9:8089", 1)));
    TargetSourceStatus second = discovery.status("dns");
    assertThat(Duration.between(second.lastSuccess(), second.nextAttempt())).isEqualTo(Duration.ofSeconds(7));
  }

  @Test
  void srvTtlIsBoundedAboveByMaxTtl() {
    dns.a("node1.test", 3600, "127.0.0.1");
    dns.srv("_http._tcp.api.test", 3600, new TestDnsServer.Srv(0, 0, 8080, "node1.test"));
    start(options("_http._tcp.api.test").setRecordType(RecordType.SRV).setMaxTtl(Duration.ofSeconds(3)));
    discovery.whenReady(Duration.ofSeconds(10)).await();
    TargetSourceStatus status = discovery.status("dns");
    assertThat(Duration.between(status.lastSuccess(), status.nextAttempt())).isEqualTo(Duration.ofSeconds(3));
    // All SRV weights zero: equal weights.
    assertThat(weights()).containsExactly(Map.entry("127.0.0.1:8080", 1));
  }

  @Test
  void nxdomainIsAFailureThatKeepsTheLastKnownGoodSet() {
    dns.a("api.test", 0, "127.0.0.1");
    start(options("api.test").setPort(8080));
    discovery.whenReady(Duration.ofSeconds(10)).await();
    RegisteredTarget before = group.target("127.0.0.1:8080");
    assertThat(before).isNotNull();

    dns.remove("api.test");
    await().atMost(Duration.ofSeconds(10)).until(() -> discovery.status("dns").state() == State.FAILING);
    assertThat(discovery.status("dns").lastError())
        .isEqualTo("A api.test port 8080 via 127.0.0.1:" + dns.port() + ": NXDOMAIN: type 3, name error");
    assertThat(group.target("127.0.0.1:8080")).isSameAs(before);
    assertThat(before.isActive()).isTrue();

    dns.a("api.test", 0, "127.0.0.1", "127.0.0.5");
    await().atMost(Duration.ofSeconds(10)).until(() -> ids().size() == 2);
    assertThat(group.target("127.0.0.1:8080")).isSameAs(before);
  }

  @Test
  void aaaaRecordsBecomeIpv6Targets() {
    dns.aaaa("api6.test", 0, "::1");
    start(options("api6.test").setRecordType(RecordType.AAAA).setPort(8443).setWeight(4).setZone("zone-a"));
    discovery.whenReady(Duration.ofSeconds(10)).await();
    assertThat(group.targets()).hasSize(1);
    RegisteredTarget t = group.targets().get(0);
    assertThat(t.target().port()).isEqualTo(8443);
    assertThat(t.target().weight()).isEqualTo(4);
    assertThat(t.target().zone()).isEqualTo("zone-a");
    assertThat(t.target().id()).isEqualTo(t.target().address()).endsWith("]:8443").startsWith("[");
  }
}
