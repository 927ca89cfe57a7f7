package dev.loadstar.scaling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.loadstar.core.LoadBalancedClient;
import dev.loadstar.core.LoadBalancedResponse;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetGroupConfig;
import dev.loadstar.core.config.InvalidValueException;
import dev.loadstar.scaling.providers.InProcessProvider;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Reconciliation on start, termination order, scale-in protection, and providers found by name. */
class ReconciliationTest {

  private Vertx vertx;
  private InProcessProvider provider;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    provider = new InProcessProvider(vertx);
  }

  @AfterEach
  void tearDown() {
    provider.close().await();
    vertx.close().await();
  }

  private ScalingGroup group(String name, int desired, TerminationPolicy policy) {
    return ScalingGroup.create(vertx, ScalingGroupConfig.builder(name, LaunchTemplate.of(InProcessProvider.NAME))
        .provider(provider).capacity(0, desired, 5).terminationPolicy(policy).build());
  }

  /** Grows the group one instance at a time so that launch times are ordered. */
  private static void growTo(ScalingGroup g, int n) {
    for (int i = g.instances().size() + 1; i <= n; i++) {
      g.setDesiredCapacity(i).await();
      int expected = i;
      await().atMost(Duration.ofSeconds(30)).until(() -> g.instances().size() == expected
          && g.instances().stream().allMatch(x -> x.state() == InstanceState.IN_SERVICE));
    }
  }

  @Test
  void aNewGroupAdoptsTheRunningInstancesAndTerminatesTheSurplusOldestFirst() {
    ScalingGroup first = group("web", 0, TerminationPolicy.OLDEST_INSTANCE);
    first.start().await();
    growTo(first, 3);
    List<Instance> launched = first.instances();
    first.close().await();
    assertThat(provider.describe("web", LaunchTemplate.of(InProcessProvider.NAME)).await()).hasSize(3);

    ScalingGroup second = group("web", 1, TerminationPolicy.OLDEST_INSTANCE);
    second.start().await();
    await().atMost(Duration.ofSeconds(30)).until(() -> second.instances().size() == 1
        && second.activities().stream().allMatch(ScalingActivity::isDone));
    assertThat(second.instances().get(0).id()).isEqualTo(launched.get(2).id());
    assertThat(provider.isRunning(launched.get(0).id())).isFalse();
    assertThat(provider.isRunning(launched.get(1).id())).isFalse();
    assertThat(second.activities()).noneMatch(a -> a.kind() == ScalingActivity.Kind.LAUNCH);
    assertThat(second.activities()).filteredOn(a -> a.kind() == ScalingActivity.Kind.TERMINATE).hasSize(2)
        .allMatch(a -> a.status() == ScalingActivityStatus.SUCCESSFUL);
    second.close().await();
  }

  @Test
  void newestFirstTerminationSkipsProtectedInstances() {
    ScalingGroup g = group("protected", 0, TerminationPolicy.NEWEST_INSTANCE);
    g.start().await();
    growTo(g, 3);
    List<Instance> launched = g.instances();
    g.setInstanceProtection(launched.get(0).id(), true).await();
    assertThat(g.instance(launched.get(0).id()).protectedFromScaleIn()).isTrue();

    g.setDesiredCapacity(2).await();
    await().atMost(Duration.ofSeconds(30)).until(() -> g.instances().size() == 2);
    assertThat(g.instances()).extracting(Instance::id).containsExactly(launched.get(0).id(), launched.get(1).id());

    g.setDesiredCapacity(1).await();
    await().atMost(Duration.ofSeconds(30)).until(() -> g.instances().size() == 1);
    assertThat(g.instances()).extracting(Instance::id).containsExactly(launched.get(0).id());

    // All protected: desired still drops, nothing is terminated.
    g.setDesiredCapacity(0).await();
    assertThat(g.desiredCapacity()).isZero();
    g.setDesiredCapacity(0).await();
    assertThat(g.instances()).hasSize(1);
    g.close().await();
  }

  @Test
  void theProviderIsFoundByNameThroughTheServiceLoader() {
    TargetGroup tg = TargetGroup.create(vertx, TargetGroupConfig.builder("by-name").build());
    ScalingGroup g = ScalingGroup.create(vertx, ScalingGroupConfig.builder("by-name",
        LaunchTemplate.builder(InProcessProvider.NAME).parameter("body", "<p>${instanceId} says hello</p>").build())
        .capacity(1, 1, 1).targetGroups(tg).build());
    g.start().await();
    await().atMost(Duration.ofSeconds(30)).until(() -> tg.targets().size() == 1);
    LoadBalancedClient client = LoadBalancedClient.create(vertx).addTargetGroup(tg);
    LoadBalancedResponse r = client.get("by-name", "/").send().await();
    assertThat(r.bodyAsString()).isEqualTo("<p>" + g.instances().get(0).id() + " says hello</p>");
    client.close().await();
    g.close().await();
    tg.close().await();

    ScalingGroup unknown = ScalingGroup.create(vertx, ScalingGroupConfig.builder("nope",
        LaunchTemplate.of("ec2")).build());
    assertThatThrownBy(() -> unknown.start().await())
        .isInstanceOf(InvalidValueException.class)
        .hasMessage("launchTemplate.provider: \"ec2\" (expected: one of in-process, process, kubernetes)");
  }
}
