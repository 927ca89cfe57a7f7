package dev.loadstar.scaling;

import static dev.loadstar.scaling.Soon.soon;
import static org.assertj.core.api.Assertions.assertThat;

import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetGroupConfig;
import dev.loadstar.core.TargetHealth;
import dev.loadstar.core.time.ManualTimeSource;
import dev.loadstar.scaling.providers.InProcessProvider;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * ELB-unhealthy instances are replaced at most 10 % of desired capacity (at least one) at a time, and not during
 * the health check grace period (on fake time).
 */
class HealthReplacementTest {

  private final ManualTimeSource time = new ManualTimeSource();
  private Vertx vertx;
  private InProcessProvider provider;
  private TargetGroup targetGroup;
  private ScalingGroup group;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    provider = new InProcessProvider(vertx);
    targetGroup = TargetGroup.create(vertx, TargetGroupConfig.builder("fleet").healthCheckEnabled(true)
        .deregistrationDelay(Duration.ofSeconds(5)).build());
  }

  @AfterEach
  void tearDown() {
    if (group != null) {
      group.close().await();
    }
    targetGroup.close().await();
    provider.close().await();
    vertx.close().await();
  }

  @Test
  void unhealthyInstancesAreReplacedOneAtATimeWithDesiredTen() {
    group = ScalingGroup.create(vertx, ScalingGroupConfig.builder("fleet-asg", LaunchTemplate.of(InProcessProvider.NAME))
        .provider(provider).capacity(10, 10, 10).healthCheckType(HealthCheckType.LOAD_BALANCER)
        .targetGroups(targetGroup).build(), time);
    group.start().await();
    soon().until(() -> group.instances().size() == 10
        && group.instances().stream().allMatch(i -> i.state() == InstanceState.IN_SERVICE));
    for (Instance i : group.instances()) {
      targetGroup.updateHealth(i.id(), TargetHealth.HEALTHY);
    }

    // No timer drives the replacements (fake time stands still): target health events do. From now on, count
    // terminations and launches running at the same time.
    Map<String, ScalingActivity.Kind> running = new ConcurrentHashMap<>();
    AtomicInteger maxTerminations = new AtomicInteger();
    AtomicInteger maxLaunches = new AtomicInteger();
    group.addListener(new ScalingGroupListener() {
      @Override
      public void onActivity(ScalingActivity a) {
        if (a.isDone()) {
          running.remove(a.activityId());
        } else {
          running.put(a.activityId(), a.kind());
        }
        maxTerminations.accumulateAndGet(count(running, ScalingActivity.Kind.TERMINATE), Math::max);
        maxLaunches.accumulateAndGet(count(running, ScalingActivity.Kind.LAUNCH), Math::max);
      }
    });
    List<String> sick = group.instances().subList(0, 3).stream().map(Instance::id).toList();
    for (String id : sick) {
      targetGroup.updateHealth(id, TargetHealth.unhealthy(TargetHealth.Reason.TARGET_FAILED_HEALTH_CHECKS,
          "Health checks failed"));
    }

    // an activity's end is recorded after its instance's state changed: wait for both
    soon().until(() -> group.instances().size() == 10
        && sick.stream().allMatch(id -> group.instance(id) == null)
        && group.instances().stream().allMatch(i -> i.state() == InstanceState.IN_SERVICE)
        && group.activities().stream().allMatch(ScalingActivity::isDone));
    assertThat(maxTerminations.get()).isEqualTo(1);
    assertThat(maxLaunches.get()).isEqualTo(1);
    List<ScalingActivity> replacements = group.activities().stream()
        .filter(a -> a.kind() == ScalingActivity.Kind.TERMINATE).toList();
    List<ScalingActivity> launches = group.activities().stream()
        .filter(a -> a.kind() == ScalingActivity.Kind.LAUNCH).toList();
    // The next replacement starts only once the previous one's launch has ended.
    for (int i = 1; i < replacements.size(); i++) {
      assertThat(replacements.get(i).startTime()).isAfterOrEqualTo(launches.get(10 + i - 1).endTime());
    }
    assertThat(replacements).extracting(ScalingActivity::instanceId).containsExactlyInAnyOrderElementsOf(sick);
    assertThat(replacements).allSatisfy(a -> assertThat(a.cause())
        .contains("in response to an ELB health check failure (target group fleet: unhealthy (Target.FailedHealthChecks)"));
    assertThat(launches).hasSize(13).allMatch(a -> a.status() == ScalingActivityStatus.SUCCESSFUL);
  }

  @Test
  void loadBalancerHealthIsIgnoredDuringTheGracePeriodButAUserHealthCheckReplacesAtOnce() {
    Duration interval = Duration.ofSeconds(10);
    Duration grace = Duration.ofSeconds(60);
    LaunchFailureTest.ScriptedProvider counting = new LaunchFailureTest.ScriptedProvider(provider, 0);
    group = ScalingGroup.create(vertx, ScalingGroupConfig.builder("graceful", LaunchTemplate.of(InProcessProvider.NAME))
        .provider(counting).capacity(1, 1, 1).healthCheckType(HealthCheckType.LOAD_BALANCER)
        .healthCheckGracePeriod(grace).healthCheckInterval(interval)
        .targetGroups(targetGroup).build(), time);
    group.start().await();
    soon().until(() -> group.instances().size() == 1
        && group.instances().get(0).state() == InstanceState.IN_SERVICE);
    String id = group.instances().get(0).id();

    // In service at 0 s; unhealthy at once; health checks at 10, 20, ... 50 s fall within the grace period.
    targetGroup.updateHealth(id, TargetHealth.unhealthy(TargetHealth.Reason.TARGET_TIMEOUT, "Request timed out"));
    int describes = counting.describes.get();
    time.advance(grace.minusMillis(1));
    assertThat(counting.describes.get() - describes).isEqualTo(5);
    assertThat(group.instance(id).healthy()).isTrue();
    assertThat(group.activities()).noneMatch(a -> a.kind() == ScalingActivity.Kind.TERMINATE);

    // The check at 60 s is the first past the grace period: the instance is replaced.
    time.advance(Duration.ofMillis(1));
    soon().until(() -> group.instance(id) == null && group.instances().size() == 1
        && group.instances().get(0).state() == InstanceState.IN_SERVICE);
    assertThat(group.activities()).filteredOn(a -> a.kind() == ScalingActivity.Kind.TERMINATE).singleElement()
        .satisfies(a -> assertThat(a.cause()).contains("in response to an ELB health check failure"));

    // A user health check needs no health check and no grace period: the new instance is replaced at once.
    String second = group.instances().get(0).id();
    group.setInstanceHealth(second, false).await();
    soon().until(() -> group.instance(second) == null
        && group.instances().size() == 1 && group.instances().get(0).state() == InstanceState.IN_SERVICE
        && group.activities().stream().allMatch(ScalingActivity::isDone));
    assertThat(group.activities()).filteredOn(a -> a.kind() == ScalingActivity.Kind.TERMINATE).last()
        .satisfies(a -> assertThat(a.cause()).endsWith("an instance was taken out of service in response to a user"
            + " health-check."));
    assertThat(group.activities()).allMatch(a -> a.status() == ScalingActivityStatus.SUCCESSFUL);
  }

  private static int count(Map<String, ScalingActivity.Kind> running, ScalingActivity.Kind kind) {
    return (int) running.values().stream().filter(k -> k == kind).count();
  }
}
