package dev.loadstar.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loadstar.core.BalancingAlgorithm;
import dev.loadstar.core.RegisteredTarget;
import dev.loadstar.core.RequestOutcome;
import dev.loadstar.core.Target;
import dev.loadstar.core.TargetGroupConfig;
import dev.loadstar.core.TargetHealth;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The detection rule and the mitigation steps, with request outcomes recorded directly on the group's targets.
 */
class AnomalyDetectorTest {

  private Vertx vertx;
  private DefaultTargetGroup group;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    TargetGroupConfig config = TargetGroupConfig.builder("atw").algorithm(BalancingAlgorithm.weightedRandom(true))
        .build();
    group = new DefaultTargetGroup(vertx, config, Clock.systemUTC(), System::nanoTime, Duration.ofHours(1));
    for (String id : new String[] {"a", "b", "c", "d"}) {
      group.register(Target.of(id, "127.0.0.1", 1));
    }
  }

  @AfterEach
  void tearDown() {
    group.close();
    vertx.close().await();
  }

  private void record(String id, int successes, int failures) {
    RegisteredTarget t = group.target(id);
    for (int i = 0; i < successes + failures; i++) {
      assertThat(t.tryStartRequest()).isTrue();
      t.endRequest(i < failures ? RequestOutcome.TARGET_5XX : RequestOutcome.SUCCESS, 1_000);
    }
  }

  private DefaultRegisteredTarget target(String id) {
    return (DefaultRegisteredTarget) group.target(id);
  }

  @Test
  void theRuleNeedsTwiceThePeersRateAndTenPointsAboveIt() {
    assertThat(AnomalyDetector.isAnomalous(10, 0.5, 0.0)).isTrue();
    assertThat(AnomalyDetector.isAnomalous(10, 0.5, 0.25)).isTrue();
    assertThat(AnomalyDetector.isAnomalous(10, 0.5, 0.26)).as("less than twice").isFalse();
    assertThat(AnomalyDetector.isAnomalous(10, 0.09, 0.0)).as("less than ten points above").isFalse();
    assertThat(AnomalyDetector.isAnomalous(4, 1.0, 0.0)).as("fewer than five failures").isFalse();
  }

  @Test
  void targetsFailingAsOftenAsTheirPeersAreNormal() {
    // an outage behind every target (e.g. a shared database) is not one target's anomaly
    for (String id : new String[] {"a", "b", "c", "d"}) {
      record(id, 20, 20);
    }
    group.evaluateAnomalies();
    for (String id : new String[] {"a", "b", "c", "d"}) {
      assertThat(target(id).anomalous()).as(id).isFalse();
    }
  }

  @Test
  void connectionFailuresCountLike5xx() {
    for (String id : new String[] {"a", "b", "c"}) {
      record(id, 30, 0);
    }
    RegisteredTarget d = group.target("d");
    for (int i = 0; i < 30; i++) {
      d.tryStartRequest();
      d.endRequest(i % 2 == 0 ? RequestOutcome.CONNECT_FAILURE : RequestOutcome.SUCCESS, 1_000);
    }
    group.evaluateAnomalies();
    assertThat(target("d").anomalous()).isTrue();
  }

  @Test
  void aTargetWithTooFewRequestsKeepsItsVerdictAndItsCountsCarryOver() {
    for (String id : new String[] {"a", "b", "c"}) {
      record(id, 30, 0);
    }
    record("d", 0, 10);
    group.evaluateAnomalies();
    assertThat(target("d").anomalous()).as("10 requests are too few to judge").isFalse();
    for (String id : new String[] {"a", "b", "c"}) {
      record(id, 30, 0);
    }
    record("d", 0, 10);
    group.evaluateAnomalies();
    assertThat(target("d").anomalous()).as("10 + 10 carried over").isTrue();
    // no traffic at all: the verdict holds and the cut goes on
    group.evaluateAnomalies();
    assertThat(target("d").anomalous()).isTrue();
    assertThat(target("d").selectionWeight()).isEqualTo(0.25);
  }

  @Test
  void mitigationHalvesTheWeightDownToOneSixteenthAndDoublesItBack() {
    for (int round = 0; round < 6; round++) {
      for (String id : new String[] {"a", "b", "c"}) {
        record(id, 30, 0);
      }
      record("d", 0, 30);
      group.evaluateAnomalies();
    }
    assertThat(target("d").selectionWeight()).isEqualTo(1.0 / 16);
    for (String id : new String[] {"a", "b", "c", "d"}) {
      record(id, 30, 0);
    }
    double[] expected = {1.0 / 8, 1.0 / 4, 1.0 / 2, 1.0, 1.0};
    for (double w : expected) {
      group.evaluateAnomalies();
      assertThat(target("d").anomalous()).isFalse();
      assertThat(target("d").selectionWeight()).isEqualTo(w);
    }
  }

  @Test
  void aTargetThatTurnsUnhealthyLosesItsVerdictAndItsCut() {
    for (String id : new String[] {"a", "b", "c"}) {
      record(id, 30, 0);
    }
    record("d", 0, 30);
    group.evaluateAnomalies();
    assertThat(target("d").anomalous()).isTrue();
    group.updateHealth("d", TargetHealth.unhealthy(TargetHealth.Reason.TARGET_FAILED_HEALTH_CHECKS, "test"));
    group.evaluateAnomalies();
    assertThat(target("d").anomalous()).isFalse();
    assertThat(target("d").mitigationInEffect()).isFalse();
  }
}
