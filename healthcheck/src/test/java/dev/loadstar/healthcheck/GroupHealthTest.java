package dev.loadstar.healthcheck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loadstar.core.HealthChangeEvent;
import dev.loadstar.core.LoadBalancedClient;
import dev.loadstar.core.Target;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetGroupConfig;
import dev.loadstar.core.TargetGroupListener;
import dev.loadstar.core.TargetHealth;
import dev.loadstar.core.TargetHealth.Reason;
import dev.loadstar.core.TargetHealth.State;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Group health driven by the checker (on fake time): fail-open, minimum healthy targets, events. */
class GroupHealthTest {

  private Vertx vertx;
  private TargetGroup group;
  private HealthChecker checker;
  private LoadBalancedClient client;
  private final Map<String, AtomicInteger> healthStatus = new HashMap<>();
  private final List<HealthChangeEvent> events = new CopyOnWriteArrayList<>();
  private final List<Boolean> failOpenChanges = new CopyOnWriteArrayList<>();
  private final FakeClock clock = new FakeClock();

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void tearDown() {
    if (client != null) {
      client.close().await();
    }
    if (checker != null) {
      checker.close().await();
    }
    if (group != null) {
      group.close().await();
    }
    vertx.close().await();
  }

  /** Targets whose {@code /health} answers a settable status and whose {@code /} answers their id. */
  private void start(TargetGroupConfig.Builder config, String... ids) {
    group = TargetGroup.create(vertx, config.healthCheckEnabled(true).build());
    group.addListener(new TargetGroupListener() {
      @Override
      public void onHealthChanged(HealthChangeEvent event) {
        events.add(event);
      }

      @Override
      public void onFailOpenChanged(TargetGroup g, boolean failingOpen) {
        failOpenChanges.add(failingOpen);
      }
    });
    for (String id : ids) {
      AtomicInteger status = new AtomicInteger(200);
      healthStatus.put(id, status);
      int port = vertx.createHttpServer().requestHandler(req -> {
        if (req.path().equals("/health")) {
          req.response().setStatusCode(status.get()).end();
        } else {
          req.response().end(id);
        }
      }).listen(0, "127.0.0.1").await().actualPort();
      group.register(Target.of(id, "127.0.0.1", port));
    }
    checker = clock.start(vertx, group, HealthCheck.builder()
        .interval(Duration.ofSeconds(10)).timeout(Duration.ofSeconds(5)).path("/health")
        .healthyThresholdCount(2).unhealthyThresholdCount(2).build(), OutlierDetection.disabled());
    client = LoadBalancedClient.create(vertx).addTargetGroup(group);
  }

  private void awaitStates(Map<String, State> expected) {
    // the group's events follow the publication of its new snapshot (fail-open included), so wait for them
    clock.runUntil(() -> expected.entrySet().stream().allMatch(e -> lastEventState(e.getKey()) == e.getValue()));
  }

  private State lastEventState(String id) {
    State last = null;
    for (HealthChangeEvent e : events) {
      if (e.target().id().equals(id)) {
        last = e.current().state();
      }
    }
    return last;
  }

  private Set<String> servedBy(int requests) {
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < requests; i++) {
      ids.add(client.get(group.name(), "/").send().await().bodyAsString());
    }
    return ids;
  }

  @Test
  void failsOpenWhenTheCheckerFindsEveryTargetUnhealthy() {
    start(TargetGroupConfig.builder("web"), "i-a", "i-b");
    awaitStates(Map.of("i-a", State.HEALTHY, "i-b", State.HEALTHY));
    assertThat(group.isFailingOpen()).isFalse();
    assertThat(servedBy(10)).containsExactlyInAnyOrder("i-a", "i-b");
    healthStatus.get("i-a").set(503);
    awaitStates(Map.of("i-a", State.UNHEALTHY));
    assertThat(group.isFailingOpen()).isFalse();
    assertThat(servedBy(10)).containsExactly("i-b");
    healthStatus.get("i-b").set(503);
    awaitStates(Map.of("i-a", State.UNHEALTHY, "i-b", State.UNHEALTHY));
    // ALB fails open: all targets unhealthy -> route to all of them
    assertThat(group.isFailingOpen()).isTrue();
    assertThat(failOpenChanges).last().isEqualTo(true);
    assertThat(servedBy(10)).containsExactlyInAnyOrder("i-a", "i-b");
  }

  @Test
  void belowMinimumHealthyTargetsCountTheGroupRoutesToAllTargets() {
    start(TargetGroupConfig.builder("web").minimumHealthyTargetsCount(2), "i-a", "i-b", "i-c");
    awaitStates(Map.of("i-a", State.HEALTHY, "i-b", State.HEALTHY, "i-c", State.HEALTHY));
    healthStatus.get("i-a").set(503);
    awaitStates(Map.of("i-a", State.UNHEALTHY));
    // two healthy: not below the count of 2, only the healthy ones serve
    assertThat(group.isFailingOpen()).isFalse();
    assertThat(servedBy(12)).containsExactlyInAnyOrder("i-b", "i-c");
    healthStatus.get("i-b").set(503);
    awaitStates(Map.of("i-a", State.UNHEALTHY, "i-b", State.UNHEALTHY));
    // one healthy < 2: route to all targets, unhealthy ones included
    assertThat(group.isFailingOpen()).isTrue();
    assertThat(servedBy(12)).containsExactlyInAnyOrder("i-a", "i-b", "i-c");
    healthStatus.get("i-b").set(200);
    awaitStates(Map.of("i-b", State.HEALTHY));
    assertThat(group.isFailingOpen()).isFalse();
    assertThat(servedBy(12)).containsExactlyInAnyOrder("i-b", "i-c");
  }

  @Test
  void belowMinimumHealthyTargetsPercentageTheGroupRoutesToAllTargets() {
    start(TargetGroupConfig.builder("web").minimumHealthyTargetsPercentage(50), "i-a", "i-b", "i-c", "i-d");
    awaitStates(Map.of("i-a", State.HEALTHY, "i-b", State.HEALTHY, "i-c", State.HEALTHY, "i-d", State.HEALTHY));
    healthStatus.get("i-a").set(503);
    healthStatus.get("i-b").set(503);
    awaitStates(Map.of("i-a", State.UNHEALTHY, "i-b", State.UNHEALTHY));
    // 2 of 4 = 50 %: not below
    assertThat(group.isFailingOpen()).isFalse();
    assertThat(servedBy(12)).containsExactlyInAnyOrder("i-c", "i-d");
    healthStatus.get("i-c").set(503);
    awaitStates(Map.of("i-c", State.UNHEALTHY));
    // 1 of 4 = 25 % < 50 %: route to all
    assertThat(group.isFailingOpen()).isTrue();
    assertThat(servedBy(16)).containsExactlyInAnyOrder("i-a", "i-b", "i-c", "i-d");
  }

  @Test
  void everyTransitionIsAnEventWithOldAndNewStateReasonDescriptionAndTime() {
    Instant before = Instant.now();
    start(TargetGroupConfig.builder("web"), "i-a");
    awaitStates(Map.of("i-a", State.HEALTHY));
    healthStatus.get("i-a").set(502);
    awaitStates(Map.of("i-a", State.UNHEALTHY));
    healthStatus.get("i-a").set(200);
    awaitStates(Map.of("i-a", State.HEALTHY));
    List<HealthChangeEvent> seen = new ArrayList<>(events);
    TargetHealth mismatch = TargetHealth.unhealthy(Reason.TARGET_RESPONSE_CODE_MISMATCH,
        "Health checks failed with these codes: [502]");
    assertThat(seen).hasSize(3);
    assertThat(seen.get(0).previous()).isEqualTo(TargetHealth.INITIAL);
    assertThat(seen.get(0).current()).isEqualTo(TargetHealth.HEALTHY);
    assertThat(seen.get(1).previous()).isEqualTo(TargetHealth.HEALTHY);
    assertThat(seen.get(1).current()).isEqualTo(mismatch);
    assertThat(seen.get(seen.size() - 1).current()).isEqualTo(TargetHealth.HEALTHY);
    // every event carries the previous value exactly (a chain), with reason, description and time
    Instant last = before;
    for (int i = 0; i < seen.size(); i++) {
      HealthChangeEvent e = seen.get(i);
      assertThat(e.group()).isSameAs(group);
      assertThat(e.target().id()).isEqualTo("i-a");
      assertThat(e.current()).isNotEqualTo(e.previous());
      if (i > 0) {
        assertThat(e.previous()).isEqualTo(seen.get(i - 1).current());
      }
      if (e.current().state() == State.UNHEALTHY) {
        assertThat(e.current().reason()).isNotNull();
        assertThat(e.current().description()).isNotBlank();
      }
      assertThat(e.time()).isAfterOrEqualTo(last);
      last = e.time();
    }
    assertThat(seen).extracting(e -> e.current().state()).filteredOn(st -> st == State.HEALTHY).hasSize(2);
  }
}
