package dev.loadstar.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Cross-zone load balancing off: selection stays in the caller's zone while it has healthy targets. */
class ZoneSelectionTest {

  private static final SelectionContext IN_A = SelectionContext.inZone("zone-a");
  private Vertx vertx;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void tearDown() {
    vertx.close().await();
  }

  static List<BalancingAlgorithm> algorithms() {
    return List.of(BalancingAlgorithm.roundRobin(), BalancingAlgorithm.leastOutstandingRequests(),
        BalancingAlgorithm.weightedRandom(), BalancingAlgorithm.weightedRandom(true),
        BalancingAlgorithm.powerOfTwoChoices(), BalancingAlgorithm.peakEwma(), BalancingAlgorithm.ringHash(),
        BalancingAlgorithm.maglev());
  }

  /** a1, a2 in zone-a; b1, b2 in zone-b; n1 without a zone. */
  private TargetGroup group(TargetGroupConfig.Builder config) {
    TargetGroup g = TargetGroup.create(vertx, config.deregistrationDelay(Duration.ZERO).build());
    g.register(List.of(
        Target.builder("a1", "127.0.0.1", 1001).zone("zone-a").build(),
        Target.builder("a2", "127.0.0.1", 1002).zone("zone-a").build(),
        Target.builder("b1", "127.0.0.1", 1003).zone("zone-b").build(),
        Target.builder("b2", "127.0.0.1", 1004).zone("zone-b").build(),
        Target.of("n1", "127.0.0.1", 1005)));
    return g;
  }

  private static Set<String> picks(TargetGroup g, SelectionContext ctx, int n) {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < n; i++) {
      SelectionContext c = i % 2 == 0 ? ctx : SelectionContext.ofKey("user-" + i).withZone(ctx.zone());
      RegisteredTarget t = g.select(c);
      assertThat(t).isNotNull();
      seen.add(t.target().id());
    }
    return seen;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("algorithms")
  void crossZoneOffKeepsACallerInZoneAOnZoneATargetsWithEveryAlgorithm(BalancingAlgorithm algorithm) {
    TargetGroup g = group(TargetGroupConfig.builder("web").algorithm(algorithm).crossZoneEnabled(false));
    assertThat(picks(g, IN_A, 400)).containsExactlyInAnyOrder("a1", "a2");
    assertThat(picks(g, SelectionContext.inZone("zone-b"), 400)).containsExactlyInAnyOrder("b1", "b2");
    // a caller without a zone, and one in a zone without targets, see the whole group
    assertThat(picks(g, SelectionContext.NONE, 400)).containsExactlyInAnyOrder("a1", "a2", "b1", "b2", "n1");
    assertThat(picks(g, SelectionContext.inZone("zone-z"), 400))
        .containsExactlyInAnyOrder("a1", "a2", "b1", "b2", "n1");
  }

  @Test
  void roundRobinInsideTheZoneAlternatesExactly() {
    TargetGroup g = group(TargetGroupConfig.builder("web").crossZoneEnabled(false));
    List<String> seq = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      seq.add(g.select(IN_A).target().id());
    }
    for (int i = 1; i < seq.size(); i++) {
      assertThat(seq.get(i)).isNotEqualTo(seq.get(i - 1)).isIn("a1", "a2");
    }
  }

  @Test
  void crossZoneOnIgnoresZones() {
    TargetGroup g = group(TargetGroupConfig.builder("web"));
    assertThat(g.config().crossZoneEnabled()).isTrue();
    assertThat(picks(g, IN_A, 400)).containsExactlyInAnyOrder("a1", "a2", "b1", "b2", "n1");
    assertThat(g.describeZones()).allSatisfy(z -> assertThat(z.servingLocally()).isFalse());
  }

  @Test
  void zoneWithoutHealthyTargetsFailsOverToTheOthersAndComesBack() {
    TargetGroup g = group(TargetGroupConfig.builder("web").crossZoneEnabled(false).healthCheckEnabled(true));
    for (String id : List.of("a1", "a2", "b1", "b2", "n1")) {
      g.updateHealth(id, TargetHealth.HEALTHY);
    }
    assertThat(picks(g, IN_A, 100)).containsExactlyInAnyOrder("a1", "a2");
    TargetHealth down = TargetHealth.unhealthy(TargetHealth.Reason.TARGET_TIMEOUT, "Request timed out");
    g.updateHealth("a1", down);
    assertThat(picks(g, IN_A, 100)).containsExactly("a2");
    g.updateHealth("a2", down);
    // zone-a has no healthy target: fail over to the healthy targets elsewhere (not to a1/a2)
    assertThat(picks(g, IN_A, 200)).containsExactlyInAnyOrder("b1", "b2", "n1");
    assertThat(g.describeZones()).extracting(ZoneHealthDescription::zone, ZoneHealthDescription::healthy,
        ZoneHealthDescription::unhealthy, ZoneHealthDescription::servingLocally)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("zone-a", 0, 2, false),
            org.assertj.core.groups.Tuple.tuple("zone-b", 2, 0, true),
            org.assertj.core.groups.Tuple.tuple(null, 1, 0, false));
    g.updateHealth("a2", TargetHealth.HEALTHY);
    assertThat(picks(g, IN_A, 100)).containsExactly("a2");
  }

  @Test
  void zoneBelowTheMinimumHealthyCountFailsOverWhileTheGroupStaysHealthy() {
    TargetGroup g = group(TargetGroupConfig.builder("web").crossZoneEnabled(false).healthCheckEnabled(true)
        .minimumHealthyTargetsCount(2));
    for (String id : List.of("a1", "a2", "b1", "b2", "n1")) {
      g.updateHealth(id, TargetHealth.HEALTHY);
    }
    assertThat(picks(g, IN_A, 100)).containsExactlyInAnyOrder("a1", "a2");
    g.updateHealth("a1", TargetHealth.unhealthy(TargetHealth.Reason.TARGET_TIMEOUT, null));
    // one healthy target is below the count of 2, computed per zone: the whole group's healthy targets serve
    assertThat(g.isFailingOpen()).isFalse();
    assertThat(picks(g, IN_A, 200)).containsExactlyInAnyOrder("a2", "b1", "b2", "n1");
  }

  @Test
  void allTargetsUnhealthyFailsOpenToEveryTarget() {
    TargetGroup g = group(TargetGroupConfig.builder("web").crossZoneEnabled(false).healthCheckEnabled(true));
    // nothing is healthy yet (initial): the group fails open, and zone-a does not serve locally
    assertThat(g.isFailingOpen()).isTrue();
    assertThat(picks(g, IN_A, 400)).containsExactlyInAnyOrder("a1", "a2", "b1", "b2", "n1");
  }

  @Test
  void stickyCookieForAnotherZoneIsNotHonouredWhileTheCallersZoneServesLocally() {
    TargetGroup g = group(TargetGroupConfig.builder("web").crossZoneEnabled(false).healthCheckEnabled(true)
        .stickiness(Stickiness.lbCookie(Duration.ofHours(1))));
    for (String id : List.of("a1", "a2", "b1", "b2", "n1")) {
      g.updateHealth(id, TargetHealth.HEALTHY);
    }
    String cookieForB1 = g.stickySessions().issue(g.target("b1"));
    String cookieForA2 = g.stickySessions().issue(g.target("a2"));
    assertThat(g.stickySessions().resolve(cookieForB1, IN_A)).isNull();
    assertThat(g.stickySessions().resolve(cookieForA2, IN_A).target().id()).isEqualTo("a2");
    // without a zone (or with cross-zone on) the cookie is honoured
    assertThat(g.stickySessions().resolve(cookieForB1).target().id()).isEqualTo("b1");
    // zone-a fails over: now the cookie naming b1 is honoured for the caller in zone-a
    TargetHealth down = TargetHealth.unhealthy(TargetHealth.Reason.TARGET_TIMEOUT, null);
    g.updateHealth("a1", down);
    g.updateHealth("a2", down);
    assertThat(g.stickySessions().resolve(cookieForB1, IN_A).target().id()).isEqualTo("b1");
    assertThat(g.stickySessions().resolve(cookieForA2, IN_A)).isNull();
  }

  @Test
  void sessionKeysFollowTheSameZoneRule() {
    TargetGroup g = group(TargetGroupConfig.builder("web").crossZoneEnabled(false));
    RegisteredTarget first = g.stickySessions().selectForSession("s-1", SelectionContext.inZone("zone-b"));
    assertThat(first.target().zone()).isEqualTo("zone-b");
    // the same session from zone-a is re-bound to a zone-a target
    RegisteredTarget fromA = g.stickySessions().selectForSession("s-1", IN_A);
    assertThat(fromA.target().zone()).isEqualTo("zone-a");
    assertThat(g.stickySessions().selectForSession("s-1", IN_A)).isSameAs(fromA);
  }

  @Test
  void describeZonesCountsTargetsAndRequestsPerZone() {
    TargetGroup g = group(TargetGroupConfig.builder("web").crossZoneEnabled(false));
    RegisteredTarget a1 = g.target("a1");
    a1.tryStartRequest();
    a1.endRequest(RequestOutcome.SUCCESS, 1_000);
    a1.tryStartRequest();
    a1.endRequest(RequestOutcome.TARGET_5XX, 1_000);
    g.target("b2").tryStartRequest();
    List<ZoneHealthDescription> zones = g.describeZones();
    assertThat(zones).hasSize(3);
    assertThat(zones.get(0)).isEqualTo(new ZoneHealthDescription("zone-a", 2, 2, 0, 0, 2, 1, true));
    assertThat(zones.get(1)).isEqualTo(new ZoneHealthDescription("zone-b", 2, 2, 0, 1, 0, 0, true));
    assertThat(zones.get(2)).isEqualTo(new ZoneHealthDescription(null, 1, 1, 0, 0, 0, 0, false));
  }
}
