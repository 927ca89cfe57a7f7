package dev.loadstar.core.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loadstar.core.BalancingAlgorithm;
import dev.loadstar.core.SelectionContext;
import dev.loadstar.core.Target;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetGroupConfig;
import dev.loadstar.core.config.InvalidValueException;
import io.vertx.core.json.JsonObject;
import io.vertx.core.Vertx;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Algorithms by name: the built-ins, a {@code ServiceLoader} provider from {@code META-INF/services}, and the
 * error for an unknown name.
 */
class AlgorithmProviderTest {

  @Test
  void builtInsAreFoundByTheirAlbNames() {
    assertThat(BalancingAlgorithm.byName("round_robin")).isSameAs(BalancingAlgorithm.roundRobin());
    assertThat(BalancingAlgorithm.byName("least_outstanding_requests"))
        .isSameAs(BalancingAlgorithm.leastOutstandingRequests());
    assertThat(BalancingAlgorithm.byName("weighted_random")).isSameAs(BalancingAlgorithm.weightedRandom());
    assertThat(BalancingAlgorithm.byName("weighted_random").anomalyMitigation()).isFalse();
    assertThat(BalancingAlgorithm.byName("power_of_two_choices")).isSameAs(BalancingAlgorithm.powerOfTwoChoices());
    assertThat(BalancingAlgorithm.byName("peak_ewma")).isSameAs(BalancingAlgorithm.peakEwma());
    assertThat(BalancingAlgorithm.byName("ring_hash")).isSameAs(BalancingAlgorithm.ringHash());
    assertThat(BalancingAlgorithm.byName("maglev")).isSameAs(BalancingAlgorithm.maglev());
    assertThat(BalancingAlgorithm.weightedRandom(true).name()).isEqualTo("weighted_random");
  }

  @Test
  void aProviderOnTheClassPathIsFoundByNameAndDrivesAGroup() {
    BalancingAlgorithm first = BalancingAlgorithm.byName("first_target");
    assertThat(first.name()).isEqualTo("first_target");
    Vertx vertx = Vertx.vertx();
    try {
      TargetGroup group = TargetGroup.create(vertx, TargetGroupConfig.builder("spi").algorithm(first).build());
      group.register(List.of(Target.of("a", "127.0.0.1", 1), Target.of("b", "127.0.0.1", 2)));
      for (int i = 0; i < 10; i++) {
        assertThat(group.select(SelectionContext.NONE).target().id()).isEqualTo("a");
      }
      group.close();
    } finally {
      vertx.close().await();
    }
  }

  @Test
  void aProviderCannotShadowABuiltInNorAnotherProvider() {
    assertThat(BalancingAlgorithm.byName("round_robin")).isSameAs(BalancingAlgorithm.roundRobin());
    assertThat(BalancingAlgorithmProvider.registry().provider("first_target"))
        .isInstanceOf(FirstTargetAlgorithmProvider.class);
  }

  @Test
  void builtInsTakeTheirParametersAndRefuseOthers() {
    assertThat(BalancingAlgorithm.create("weighted_random", new JsonObject().put("anomaly_mitigation", true)))
        .isSameAs(BalancingAlgorithm.weightedRandom(true));
    assertThat(BalancingAlgorithm.create("weighted_random", null)).isSameAs(BalancingAlgorithm.weightedRandom());
    assertThatThrownBy(() -> BalancingAlgorithm.create("weighted_random",
        new JsonObject().put("anomaly_mitigation", "yes")))
        .isInstanceOf(InvalidValueException.class)
        .hasMessage("anomaly_mitigation: \"yes\" (expected: true or false)");
    assertThatThrownBy(() -> BalancingAlgorithm.create("weighted_random", new JsonObject().put("mitigation", true)))
        .hasMessage("mitigation: true (expected: one of the parameters anomaly_mitigation)");
    assertThatThrownBy(() -> BalancingAlgorithm.create("round_robin", new JsonObject().put("slow_start", 30)))
        .isInstanceOf(InvalidValueException.class)
        .hasMessage("slow_start: 30 (expected: no parameters for round_robin)");
  }

  @Test
  void anUnknownNameListsEveryKnownName() {
    assertThatThrownBy(() -> BalancingAlgorithm.byName("fastest"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("load_balancing.algorithm.type: \"fastest\" (expected: one of round_robin, least_outstanding_requests,"
            + " weighted_random, power_of_two_choices, peak_ewma, ring_hash, maglev, first_target)");
    assertThatThrownBy(() -> BalancingAlgorithm.byName(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("load_balancing.algorithm.type: null (expected: one of round_robin, least_outstanding_requests,"
            + " weighted_random, power_of_two_choices, peak_ewma, ring_hash, maglev, first_target)");
  }
}
