package dev.loadstar.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Round robin (and least outstanding requests' round-robin tie break) keep rotating when every selection is followed
 * by a new snapshot: churn of an unrelated target must not send every request to the first target.
 */
class RotationUnderChurnTest {

  private static final int N = 3_000;
  private static final TargetHealth UNHEALTHY =
      TargetHealth.unhealthy(TargetHealth.Reason.TARGET_FAILED_HEALTH_CHECKS, "test");

  private Vertx vertx;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void tearDown() {
    vertx.close().await();
  }

  @Test
  void aHealthChangeOfAnUnrelatedTargetAfterEverySelectionDoesNotSkewRoundRobin() {
    for (BalancingAlgorithm a : List.of(BalancingAlgorithm.roundRobin(),
        BalancingAlgorithm.leastOutstandingRequests())) {
      TargetGroup g = TargetGroup.create(vertx, TargetGroupConfig.builder("svc").algorithm(a)
          .healthCheckEnabled(true).build());
      for (String id : List.of("a", "b", "c")) {
        g.register(Target.of(id, "127.0.0.1", 8080));
        g.updateHealth(id, TargetHealth.HEALTHY);
      }
      // the 4th target takes no requests (weight 0), but its health flips routability: a new snapshot each time
      g.register(Target.builder("d", "127.0.0.1", 8081).weight(0).build());
      Map<String, Integer> counts = new HashMap<>();
      for (int i = 0; i < N; i++) {
        counts.merge(g.select(SelectionContext.NONE).target().id(), 1, Integer::sum);
        assertThat(g.updateHealth("d", i % 2 == 0 ? TargetHealth.HEALTHY : UNHEALTHY))
            .isTrue();
      }
      assertThat(counts.keySet()).as(a.name()).containsExactlyInAnyOrder("a", "b", "c");
      for (String id : List.of("a", "b", "c")) {
        assertThat(counts.get(id)).as(a.name() + " " + id).isBetween(900, 1_100);
      }
    }
  }

  @Test
  void registrationChurnOfAnUnrelatedTargetDoesNotSkewRoundRobin() {
    TargetGroup g = TargetGroup.create(vertx, TargetGroupConfig.builder("svc").healthCheckEnabled(true).build());
    for (String id : List.of("a", "b", "c")) {
      g.register(Target.of(id, "127.0.0.1", 8080));
      g.updateHealth(id, TargetHealth.HEALTHY);
    }
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < N; i++) {
      counts.merge(g.select(SelectionContext.NONE).target().id(), 1, Integer::sum);
      // registered (initial: not routable) or draining: never selected, but each call publishes a snapshot
      if (i % 2 == 0) {
        g.register(Target.of("d", "127.0.0.1", 8081));
      } else {
        g.deregister("d");
      }
    }
    assertThat(counts.keySet()).containsExactlyInAnyOrder("a", "b", "c");
    for (String id : List.of("a", "b", "c")) {
      assertThat(counts.get(id)).as(id).isBetween(900, 1_100);
    }
  }
}
