package dev.loadstar.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BatchHealthUpdateTest {

  private Vertx vertx;
  private TargetGroup group;
  private final List<HealthChangeEvent> events = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    group = TargetGroup.create(vertx, TargetGroupConfig.builder("web").healthCheckEnabled(true).build());
    for (String id : List.of("a", "b", "c")) {
      group.register(Target.of(id, "127.0.0.1", 8080));
    }
    group.addListener(new TargetGroupListener() {
      @Override
      public void onHealthChanged(HealthChangeEvent event) {
        events.add(event);
      }
    });
  }

  @AfterEach
  void tearDown() {
    group.close().await();
    vertx.close().await();
  }

  @Test
  void appliesEveryEntryInOrderWithOneEventEach() {
    Map<String, TargetHealth> batch = new LinkedHashMap<>();
    batch.put("c", TargetHealth.HEALTHY);
    batch.put("unknown", TargetHealth.HEALTHY);
    batch.put("a", TargetHealth.HEALTHY);
    batch.put("b", TargetHealth.INITIAL); // unchanged: no event
    assertThat(group.updateHealth(batch)).isEqualTo(3);
    assertThat(events).extracting(e -> e.target().id()).containsExactly("c", "a");
    assertThat(events).extracting(HealthChangeEvent::current).containsOnly(TargetHealth.HEALTHY);
    assertThat(group.isFailingOpen()).isFalse();
    // the new snapshot routes to exactly the two healthy targets
    for (int i = 0; i < 10; i++) {
      assertThat(group.select(SelectionContext.NONE).target().id()).isIn("a", "c");
    }
  }

  @Test
  void refusesDrainingAndUnusedLikeTheSingleUpdate() {
    assertThatThrownBy(() -> group.updateHealth(Map.of("a", TargetHealth.DRAINING)))
        .hasMessageStartingWith("health: draining (expected: ");
    assertThat(events).isEmpty();
  }
}
