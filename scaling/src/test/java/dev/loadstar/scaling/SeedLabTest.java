package dev.loadstar.scaling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loadstar.core.LoadBalancedClient;
import dev.loadstar.core.LoadBalancedClientOptions;
import dev.loadstar.core.LoadBalancedResponse;
import dev.loadstar.core.RegisteredTarget;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetGroupConfig;
import dev.loadstar.core.TargetHealth;
import dev.loadstar.scaling.providers.InProcessProvider;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The seed lab, end to end on the in-process provider: an Auto Scaling group of two web servers behind a target
 * group, one web server stopped (nothing happens with EC2 health checks), the health check type switched to ELB (the
 * instance is replaced), then desired capacity 0; a client sending GETs all along sees no failed request.
 */
class SeedLabTest {

  private static final String TG = "MyWebTargetGroup";

  private Vertx vertx;
  private InProcessProvider provider;
  private TargetGroup targetGroup;
  private TestHealthChecker checker;
  private LoadBalancedClient client;
  private ScalingGroup group;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    provider = new InProcessProvider(vertx);
    targetGroup = TargetGroup.create(vertx, TargetGroupConfig.builder(TG).healthCheckEnabled(true)
        .deregistrationDelay(Duration.ofSeconds(10)).build());
    checker = new TestHealthChecker(vertx, targetGroup, 100);
    client = LoadBalancedClient.create(vertx, new LoadBalancedClientOptions().setConnectTimeoutMs(1000)
        .setRequestTimeoutMs(30_000)).addTargetGroup(targetGroup);
  }

  @AfterEach
  void tearDown() {
    if (group != null) {
      group.close().await();
    }
    checker.close();
    client.close().await();
    targetGroup.close().await();
    provider.close().await();
    vertx.close().await();
  }

  @Test
  void seedLabReplacesTheInstanceWhoseWebServerStoppedOnlyWithElbHealthChecksAndLosesNoRequest() {
    List<ScalingActivity> timeline = new CopyOnWriteArrayList<>();
    group = ScalingGroup.create(vertx, ScalingGroupConfig.builder("MyASG",
            LaunchTemplate.builder(InProcessProvider.NAME).parameter("responseDelayMs", "20").build())
        .provider(provider)
        .capacity(2, 2, 4)
        .healthCheckType(HealthCheckType.PROVIDER)
        .healthCheckInterval(Duration.ofMillis(100))
        .targetGroups(targetGroup)
        .build());
    group.addListener(new ScalingGroupListener() {
      @Override
      public void onActivity(ScalingActivity activity) {
        timeline.add(activity);
      }
    });
    group.start().await();

    // Desired 2: two instances launched, registered and healthy.
    await().atMost(Duration.ofSeconds(30)).until(() -> inServiceAndHealthy().size() == 2);
    List<String> ids = inServiceAndHealthy();
    assertThat(ids).allMatch(id -> id.matches("i-[0-9a-f]{17}"));
    assertThat(targetGroup.targets()).extracting(t -> t.target().id()).containsExactlyInAnyOrderElementsOf(ids);

    // The client alternates between the two instances' pages.
    List<String> bodies = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      LoadBalancedResponse r = client.get(TG, "/").send().await();
      assertThat(r.bodyAsString()).isEqualTo("<h1>" + r.target().id() + "</h1>");
      bodies.add(r.target().id());
    }
    for (int i = 1; i < bodies.size(); i++) {
      assertThat(bodies.get(i)).isNotEqualTo(bodies.get(i - 1));
    }
    assertThat(Set.copyOf(bodies)).containsExactlyInAnyOrderElementsOf(ids);

    // From here on a client sends GETs all along.
    LoadGenerator load = new LoadGenerator(vertx, client, TG, 200_000, 60_000).start(2);

    // Stop one instance's web server (service httpd stop): the target turns unhealthy after exactly 2 failed checks.
    String broken = ids.get(0);
    String survivor = ids.get(1);
    provider.stopWebServer(broken).await();
    await().atMost(Duration.ofSeconds(30))
        .until(() -> targetGroup.target(broken).health().state() == TargetHealth.State.UNHEALTHY);
    assertThat(checker.failuresWhenMarkedUnhealthy.get(broken)).isEqualTo(2);

    // With PROVIDER (EC2) health checks nothing happens: the instance is running, so it stays InService.
    int failedSoFar = checker.failedProbes(broken);
    await().atMost(Duration.ofSeconds(30)).until(() -> checker.failedProbes(broken) >= failedSoFar + 10);
    assertThat(group.instance(broken).state()).isEqualTo(InstanceState.IN_SERVICE);
    assertThat(group.instance(broken).healthy()).isTrue();
    assertThat(group.activities()).noneMatch(a -> a.kind() == ScalingActivity.Kind.TERMINATE);

    // Switch to LOAD_BALANCER (ELB): the group terminates the instance and launches a replacement.
    group.setHealthCheckType(HealthCheckType.LOAD_BALANCER).await();
    await().atMost(Duration.ofSeconds(30)).until(() -> group.instance(broken) == null
        && inServiceAndHealthy().size() == 2);
    String replacement = inServiceAndHealthy().stream().filter(id -> !id.equals(survivor)).findFirst().orElseThrow();
    assertThat(replacement).isNotIn(broken, survivor);
    assertThat(targetGroup.target(broken)).isNull();
    assertThat(provider.isRunning(broken)).isFalse();

    ScalingActivity termination = activity(ScalingActivity.Kind.TERMINATE, broken);
    assertThat(termination.status()).isEqualTo(ScalingActivityStatus.SUCCESSFUL);
    assertThat(termination.cause()).contains("an instance was taken out of service in response to an ELB health"
        + " check failure");
    assertThat(termination.description()).isEqualTo("Terminating instance: " + broken);
    ScalingActivity launch = activity(ScalingActivity.Kind.LAUNCH, replacement);
    assertThat(launch.status()).isEqualTo(ScalingActivityStatus.SUCCESSFUL);
    assertThat(launch.cause()).contains("an instance was started in response to a difference between desired and"
        + " actual capacity, increasing the capacity from 1 to 2");
    assertThat(launch.startTime()).isAfterOrEqualTo(termination.startTime());
    assertThat(timeline).anyMatch(a -> a.activityId().equals(termination.activityId())
        && a.status() == ScalingActivityStatus.WAITING_FOR_ELB_CONNECTION_DRAINING);

    // Both instances serve the client again.
    await().atMost(Duration.ofSeconds(30)).until(() -> load.byTarget.containsKey(replacement));

    // Desired (and min) 0: the client stops sending new requests, every instance drains and is terminated while
    // the requests already in flight complete.
    load.stop();
    group.updateCapacity(0, 0, 4).await();
    await().atMost(Duration.ofSeconds(30)).until(() -> group.instances().isEmpty() && load.idle());
    assertThat(targetGroup.targets()).isEmpty();
    assertThat(provider.isRunning(survivor)).isFalse();
    assertThat(provider.isRunning(replacement)).isFalse();
    assertThat(group.activities().stream().filter(a -> a.kind() == ScalingActivity.Kind.TERMINATE)
        .map(ScalingActivity::status).collect(Collectors.toList()))
        .containsOnly(ScalingActivityStatus.SUCCESSFUL).hasSize(3);

    assertThat(load.failures).isEmpty();
    assertThat(load.failed.get()).isZero();
    assertThat(load.succeeded.get()).isEqualTo(load.sent.get()).isGreaterThan(0);
  }

  private List<String> inServiceAndHealthy() {
    List<String> out = new ArrayList<>();
    for (Instance i : group.instances()) {
      RegisteredTarget t = targetGroup.target(i.id());
      if (i.state() == InstanceState.IN_SERVICE && t != null && t.health().state() == TargetHealth.State.HEALTHY) {
        out.add(i.id());
      }
    }
    return out;
  }

  private ScalingActivity activity(ScalingActivity.Kind kind, String instanceId) {
    return group.activities().stream().filter(a -> a.kind() == kind && instanceId.equals(a.instanceId()))
        .findFirst().orElseThrow();
  }
}
