package dev.loadstar.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loadstar.core.internal.DefaultTargetGroup;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Anomaly detection and mitigation (ALB's automatic target weights) through real backends and the client, with
 * evaluations triggered by the test.
 */
class AnomalyDetectionTest {

  private Vertx vertx;
  private IdBackends backends;
  private LoadBalancedClient client;
  private DefaultTargetGroup group;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    backends = new IdBackends(vertx);
    client = LoadBalancedClient.create(vertx);
  }

  @AfterEach
  void tearDown() {
    client.close().await();
    if (group != null) {
      group.close().await();
    }
    vertx.close().await();
  }

  /** A health-checked group over the backends, all healthy; evaluations only when the test asks. */
  private DefaultTargetGroup group(BalancingAlgorithm algorithm, Duration interval, IdBackends.Backend... members) {
    TargetGroupConfig config = TargetGroupConfig.builder("atw").algorithm(algorithm).healthCheckEnabled(true).build();
    group = new DefaultTargetGroup(vertx, config, Clock.systemUTC(), System::nanoTime, interval);
    for (IdBackends.Backend b : members) {
      group.register(b.target());
      group.updateHealth(b.id, TargetHealth.HEALTHY);
    }
    client.addTargetGroup(group);
    return group;
  }

  private IdBackends.Backend[] fourBackendsOneFailing() {
    IdBackends.Backend[] bs = {backends.start("i-a"), backends.start("i-b"), backends.start("i-c"),
        backends.start("i-bad")};
    bs[3].status.set(503);
    return bs;
  }

  /** Sends batches of 100 requests until {@code id} has ended at least {@code requests} more requests. */
  private void sendUntil(String id, int requests) {
    long target = group.target(id).requestCount() + requests;
    for (int batch = 0; batch < 60 && group.target(id).requestCount() < target; batch++) {
      List<Future<LoadBalancedResponse>> all = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        all.add(client.get("atw", "/").send());
      }
      Future.all(all).await();
    }
    assertThat(group.target(id).requestCount()).isGreaterThanOrEqualTo(target);
  }

  private Map<String, TargetHealthDescription> describe() {
    return group.describeTargetHealth().stream()
        .collect(Collectors.toMap(d -> d.target().id(), Function.identity()));
  }

  @Test
  void aTargetReturning5xxIsFlaggedCutAndRestoredGraduallyAfterItRecovers() {
    IdBackends.Backend[] bs = fourBackendsOneFailing();
    group(BalancingAlgorithm.weightedRandom(true), Duration.ofHours(1), bs);
    sendUntil("i-bad", 30);

    group.evaluateAnomalies();
    Map<String, TargetHealthDescription> d = describe();
    assertThat(d.get("i-bad").anomalyResult()).isEqualTo("anomalous");
    assertThat(d.get("i-bad").mitigationInEffect()).isTrue();
    assertThat(d.get("i-bad").health().state()).as("anomaly does not change health").isEqualTo(TargetHealth.State.HEALTHY);
    for (String id : List.of("i-a", "i-b", "i-c")) {
      assertThat(d.get(id).anomalyResult()).isEqualTo("normal");
      assertThat(d.get(id).mitigationInEffect()).isFalse();
      assertThat(group.target(id).selectionWeight()).isEqualTo(1.0);
    }
    assertThat(group.target("i-bad").selectionWeight()).isEqualTo(0.5);

    // still failing: cut again
    sendUntil("i-bad", 25);
    group.evaluateAnomalies();
    assertThat(group.target("i-bad").selectionWeight()).isEqualTo(0.25);

    // recovers: judged normal once it has answered enough requests, then its weight doubles back step by step
    bs[3].status.set(200);
    sendUntil("i-bad", 25);
    group.evaluateAnomalies();
    d = describe();
    assertThat(d.get("i-bad").anomalyResult()).isEqualTo("normal");
    assertThat(d.get("i-bad").mitigationInEffect()).isTrue();
    assertThat(group.target("i-bad").selectionWeight()).isEqualTo(0.5);
    group.evaluateAnomalies();
    assertThat(group.target("i-bad").selectionWeight()).isEqualTo(1.0);
    assertThat(describe().get("i-bad").mitigationInEffect()).isFalse();
  }

  @Test
  void theCutTargetGetsProportionallyLessTraffic() {
    IdBackends.Backend[] bs = fourBackendsOneFailing();
    group(BalancingAlgorithm.weightedRandom(true), Duration.ofHours(1), bs);
    sendUntil("i-bad", 30);
    // without new traffic the verdict holds, so each evaluation halves the weight again
    for (int i = 0; i < 4; i++) {
      group.evaluateAnomalies();
    }
    assertThat(group.target("i-bad").selectionWeight()).isEqualTo(1.0 / 16);
    int before = bs[3].served.get();
    List<Future<LoadBalancedResponse>> all = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      all.add(client.get("atw", "/").send());
    }
    Future.all(all).await();
    // weight 1/16 among three of weight 1: expected share 2%; binomial(1000, 0.02) stays well under 6%
    assertThat(bs[3].served.get() - before).isLessThan(60);
  }

  @Test
  void withFewerThanThreeHealthyTargetsNothingIsFlagged() {
    IdBackends.Backend[] bs = fourBackendsOneFailing();
    group(BalancingAlgorithm.weightedRandom(true), Duration.ofHours(1), bs[0], bs[1], bs[3]);
    group.updateHealth("i-b", TargetHealth.unhealthy(TargetHealth.Reason.TARGET_FAILED_HEALTH_CHECKS, "test"));
    sendUntil("i-bad", 30);
    group.evaluateAnomalies();
    assertThat(describe().values()).allSatisfy(t -> {
      assertThat(t.anomalyResult()).isEqualTo("normal");
      assertThat(t.mitigationInEffect()).isFalse();
    });
    assertThat(group.target("i-bad").selectionWeight()).isEqualTo(1.0);
  }

  @Test
  void withMitigationOffTheTargetIsFlaggedButKeepsItsWeight() {
    IdBackends.Backend[] bs = fourBackendsOneFailing();
    // detection is always on: round robin (and weighted_random without mitigation) report but do not cut
    group(BalancingAlgorithm.roundRobin(), Duration.ofHours(1), bs);
    sendUntil("i-bad", 30);
    group.evaluateAnomalies();
    TargetHealthDescription bad = describe().get("i-bad");
    assertThat(bad.anomalyResult()).isEqualTo("anomalous");
    assertThat(bad.mitigationInEffect()).isFalse();
    assertThat(group.target("i-bad").selectionWeight()).isEqualTo(1.0);
    assertThat(BalancingAlgorithm.weightedRandom().anomalyMitigation()).isFalse();
    assertThat(BalancingAlgorithm.weightedRandom(true).anomalyMitigation()).isTrue();
    assertThat(BalancingAlgorithm.roundRobin().anomalyMitigation()).isFalse();
  }

  @Test
  void theGroupEvaluatesOnItsOwnTimer() {
    IdBackends.Backend[] bs = fourBackendsOneFailing();
    group(BalancingAlgorithm.weightedRandom(true), Duration.ofMillis(200), bs);
    await().atMost(Duration.ofSeconds(20)).until(() -> {
      List<Future<LoadBalancedResponse>> all = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        all.add(client.get("atw", "/").send());
      }
      Future.all(all).await();
      return describe().get("i-bad").anomalous();
    });
    await().atMost(Duration.ofSeconds(5)).until(() -> group.target("i-bad").selectionWeight() < 1.0);
  }
}
