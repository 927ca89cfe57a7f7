package dev.loadstar.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import dev.loadstar.core.internal.DefaultTargetGroup;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Slow start with a hand-moved time source: the linear ramp, ALB's entry rule, exit on unhealthy.
 */
class SlowStartTest {

  private static final long SECOND = 1_000_000_000L;

  private Vertx vertx;
  private final AtomicLong now = new AtomicLong(1_000 * SECOND);
  private DefaultTargetGroup group;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void tearDown() {
    if (group != null) {
      group.close();
    }
    vertx.close().await();
  }

  private DefaultTargetGroup group(boolean healthChecks) {
    TargetGroupConfig config = TargetGroupConfig.builder("slow").slowStart(Duration.ofSeconds(100))
        .healthCheckEnabled(healthChecks).build();
    group = new DefaultTargetGroup(vertx, config, Clock.systemUTC(), now::get, Duration.ofHours(1));
    return group;
  }

  private void advance(long seconds) {
    now.addAndGet(seconds * SECOND);
    group.refreshWeights();
  }

  private double weight(String id) {
    return group.target(id).selectionWeight();
  }

  private Map<String, Integer> select(int count) {
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < count; i++) {
      counts.merge(group.select(SelectionContext.NONE).target().id(), 1, Integer::sum);
    }
    return counts;
  }

  @Test
  void theFirstTargetInAnEmptyGroupDoesNotEnterSlowStart() {
    group(true);
    group.register(Target.of("a", "127.0.0.1", 1));
    group.updateHealth("a", TargetHealth.HEALTHY);
    assertThat(weight("a")).isEqualTo(1.0);
  }

  @Test
  void aNewHealthyTargetRampsLinearlyFromTenPercentToItsFullShare() {
    group(true);
    group.register(Target.of("a", "127.0.0.1", 1));
    group.updateHealth("a", TargetHealth.HEALTHY);
    group.register(Target.of("b", "127.0.0.1", 2));
    assertThat(weight("b")).as("not healthy yet, so not in slow start").isEqualTo(1.0);
    group.updateHealth("b", TargetHealth.HEALTHY);

    assertThat(weight("b")).isEqualTo(0.1);
    // 1 : 0.1 = 10 : 1 with smooth weighted round robin: exactly 1 in 11
    assertThat(select(1100)).containsEntry("a", 1000).containsEntry("b", 100);

    advance(25);
    assertThat(weight("b")).isCloseTo(0.1 + 0.9 * 0.25, within(1e-9));
    advance(25);
    assertThat(weight("b")).isCloseTo(0.55, within(1e-9));
    // 1 : 0.55 = 20 : 11
    assertThat(select(310)).containsEntry("a", 200).containsEntry("b", 110);
    advance(40);
    assertThat(weight("b")).isCloseTo(0.91, within(1e-9));
    advance(10);
    assertThat(weight("b")).isEqualTo(1.0);
    assertThat(select(100)).containsEntry("a", 50).containsEntry("b", 50);
    assertThat(weight("a")).isEqualTo(1.0);
  }

  @Test
  void weightsScaleTheRamp() {
    group(true);
    group.register(Target.of("a", "127.0.0.1", 1));
    group.updateHealth("a", TargetHealth.HEALTHY);
    group.register(Target.builder("b", "127.0.0.1", 2).weight(4).build());
    group.updateHealth("b", TargetHealth.HEALTHY);
    assertThat(weight("b")).isCloseTo(0.4, within(1e-9));
    advance(50);
    assertThat(weight("b")).isCloseTo(4 * 0.55, within(1e-9));
  }

  @Test
  void targetsRegisteredByOneCallIntoAGroupWithoutHealthyTargetsDoNotEnterSlowStart() {
    group(true);
    group.register(List.of(Target.of("a", "127.0.0.1", 1), Target.of("b", "127.0.0.1", 2)));
    group.updateHealth("a", TargetHealth.HEALTHY);
    group.updateHealth("b", TargetHealth.HEALTHY);
    assertThat(weight("a")).isEqualTo(1.0);
    assertThat(weight("b")).isEqualTo(1.0);
    // a later registration call does enter slow start
    group.register(Target.of("c", "127.0.0.1", 3));
    group.updateHealth("c", TargetHealth.HEALTHY);
    assertThat(weight("c")).isEqualTo(0.1);
  }

  @Test
  void withHealthChecksOffATargetEntersSlowStartWhenItIsRegistered() {
    group(false);
    group.register(List.of(Target.of("a", "127.0.0.1", 1), Target.of("b", "127.0.0.1", 2)));
    assertThat(weight("a")).isEqualTo(1.0);
    assertThat(weight("b")).isEqualTo(1.0);
    group.register(Target.of("c", "127.0.0.1", 3));
    assertThat(weight("c")).isEqualTo(0.1);
    advance(100);
    assertThat(weight("c")).isEqualTo(1.0);
  }

  @Test
  void aTargetDoesNotEnterSlowStartWhenEveryOtherHealthyTargetIsInSlowStart() {
    group(true);
    group.register(Target.of("a", "127.0.0.1", 1));
    group.updateHealth("a", TargetHealth.HEALTHY);
    group.register(Target.of("b", "127.0.0.1", 2));
    group.updateHealth("b", TargetHealth.HEALTHY);
    assertThat(weight("b")).isEqualTo(0.1);
    group.updateHealth("a", TargetHealth.unhealthy(TargetHealth.Reason.TARGET_FAILED_HEALTH_CHECKS, "test"));
    group.register(Target.of("c", "127.0.0.1", 3));
    group.updateHealth("c", TargetHealth.HEALTHY);
    assertThat(weight("c")).as("b is healthy but in slow start, a is unhealthy").isEqualTo(1.0);
  }

  @Test
  void aTargetThatTurnsUnhealthyLeavesSlowStartAndRestartsTheRampWhenHealthyAgain() {
    group(true);
    group.register(Target.of("a", "127.0.0.1", 1));
    group.updateHealth("a", TargetHealth.HEALTHY);
    group.register(Target.of("b", "127.0.0.1", 2));
    group.updateHealth("b", TargetHealth.HEALTHY);
    advance(50);
    assertThat(weight("b")).isCloseTo(0.55, within(1e-9));
    group.updateHealth("b", TargetHealth.unhealthy(TargetHealth.Reason.TARGET_FAILED_HEALTH_CHECKS, "test"));
    advance(10);
    group.updateHealth("b", TargetHealth.HEALTHY);
    assertThat(weight("b")).isEqualTo(0.1);
    // an already-healthy target that was registered before does not re-enter slow start when b recovers
    assertThat(weight("a")).isEqualTo(1.0);
  }

  @Test
  void theOneSecondTickerCompletesTheRampWithoutBeingAsked() {
    group(true);
    group.register(Target.of("a", "127.0.0.1", 1));
    group.updateHealth("a", TargetHealth.HEALTHY);
    group.register(Target.of("b", "127.0.0.1", 2));
    group.updateHealth("b", TargetHealth.HEALTHY);
    assertThat(weight("b")).isEqualTo(0.1);
    now.addAndGet(100 * SECOND);
    await().atMost(Duration.ofSeconds(5)).until(() -> weight("b") == 1.0);
  }

  @Test
  void slowStartIsOnlyAcceptedWithRoundRobinAndInRange() {
    assertThatThrownBy(() -> TargetGroupConfig.builder("x").slowStart(Duration.ofSeconds(30))
        .algorithm(BalancingAlgorithm.leastOutstandingRequests()).build())
        .hasMessage("slow_start.duration_seconds: 30 (expected: 0 with load_balancing.algorithm.type "
            + "least_outstanding_requests, which does not support slow start)");
    assertThatThrownBy(() -> TargetGroupConfig.builder("x").slowStart(Duration.ofSeconds(60))
        .algorithm(BalancingAlgorithm.weightedRandom(true)).build())
        .hasMessage("slow_start.duration_seconds: 60 (expected: 0 with load_balancing.algorithm.type "
            + "weighted_random, which does not support slow start)");
    assertThatThrownBy(() -> TargetGroupConfig.builder("x").slowStart(Duration.ofSeconds(29)).build())
        .hasMessage("slow_start.duration_seconds: 29 (expected: 0 (off) or 30-900)");
    assertThat(TargetGroupConfig.builder("x").slowStart(Duration.ofSeconds(900)).build().slowStart())
        .isEqualTo(Duration.ofSeconds(900));
    for (BalancingAlgorithm a : List.of(BalancingAlgorithm.leastOutstandingRequests(),
        BalancingAlgorithm.weightedRandom(), BalancingAlgorithm.powerOfTwoChoices(), BalancingAlgorithm.peakEwma(),
        BalancingAlgorithm.ringHash(), BalancingAlgorithm.maglev())) {
      assertThat(a.supportsSlowStart()).as(a.name()).isFalse();
    }
    assertThat(BalancingAlgorithm.roundRobin().supportsSlowStart()).isTrue();
  }
}
