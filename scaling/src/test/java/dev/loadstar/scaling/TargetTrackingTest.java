package dev.loadstar.scaling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loadstar.core.LoadBalancedClient;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetGroupConfig;
import dev.loadstar.core.time.ManualTimeSource;
import dev.loadstar.scaling.providers.InProcessProvider;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Target tracking with real traffic: ALBRequestCountPerTarget above the target value scales out, a trickle well below
 * it scales back in, draining, with no failed request; outstanding requests scale out. Step scaling on an
 * application metric runs on fake time. Cooldown and warmup arithmetic is in {@link PolicyTimingTest}.
 */
class TargetTrackingTest {

  private static final String TG = "WebTG";

  private Vertx vertx;
  private InProcessProvider provider;
  private TargetGroup targetGroup;
  private LoadBalancedClient client;
  private ScalingGroup group;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    provider = new InProcessProvider(vertx);
    targetGroup = TargetGroup.create(vertx, TargetGroupConfig.builder(TG)
        .deregistrationDelay(Duration.ofSeconds(10)).build());
    client = LoadBalancedClient.create(vertx).addTargetGroup(targetGroup);
  }

  @AfterEach
  void tearDown() {
    if (group != null) {
      group.close().await();
    }
    client.close().await();
    targetGroup.close().await();
    provider.close().await();
    vertx.close().await();
  }

  /** A desired-capacity change and when it happened. */
  record Change(int from, int to, String cause, Instant at) {
  }

  @Test
  void requestsPerTargetAboveTheTargetScaleOutAndATrickleScalesBackInWithoutFailedRequests() {
    List<Change> changes = new CopyOnWriteArrayList<>();
    group = ScalingGroup.create(vertx, ScalingGroupConfig.builder("web-asg",
            LaunchTemplate.builder(InProcessProvider.NAME).parameter("responseDelayMs", "10").build())
        .provider(provider)
        .capacity(1, 1, 3)
        .targetGroups(targetGroup)
        .monitoringInterval(Duration.ofMillis(500))
        .defaultCooldown(Duration.ZERO)
        .policies(ScalingPolicy.targetTracking("requests-per-target",
                ScalingPolicy.PredefinedMetric.ALB_REQUEST_COUNT_PER_TARGET, TG, 5)
            .scaleOutDatapoints(1).scaleInDatapoints(3).build())
        .build());
    group.addListener(new ScalingGroupListener() {
      @Override
      public void onDesiredCapacityChanged(int previous, int current, String cause) {
        changes.add(new Change(previous, current, cause, Instant.now()));
      }
    });
    group.start().await();
    await().atMost(Duration.ofSeconds(30)).until(() -> group.instances().size() == 1
        && group.instances().get(0).state() == InstanceState.IN_SERVICE);

    // Load: 8 loops, 10 ms per response: far above 5 requests per target per interval, even on a busy machine.
    LoadGenerator heavy = new LoadGenerator(vertx, client, TG, 200_000, 60_000).start(8);
    await().atMost(Duration.ofSeconds(30)).until(() -> group.desiredCapacity() == 3 && inService() == 3);
    await().atMost(Duration.ofSeconds(30)).until(() -> heavy.byTarget.size() == 3);
    heavy.stop();
    await().atMost(Duration.ofSeconds(30)).until(heavy::idle);
    assertThat(changes).isNotEmpty().allSatisfy(c -> assertThat(c.to()).isGreaterThan(c.from()));
    assertThat(changes.get(0).cause()).contains("policy requests-per-target (requests-per-target:"
        + " ALBRequestCountPerTarget = ").contains("changed the desired capacity from 1 to ");

    // A trickle of 4 requests per second (2 per interval) is still sent during the scale-in: below 90 % of 5 per
    // target even on one.
    int scaleOuts = changes.size();
    LoadGenerator trickle = new LoadGenerator(vertx, client, TG, 100_000, 60_000).pacing(250);
    trickle.start(1);
    await().atMost(Duration.ofSeconds(60)).until(() -> group.desiredCapacity() == 1 && group.instances().size() == 1);
    await().atMost(Duration.ofSeconds(30)).until(() -> targetGroup.targets().size() == 1);
    trickle.stop();
    await().atMost(Duration.ofSeconds(30)).until(trickle::idle);
    List<Change> scaleIns = changes.subList(scaleOuts, changes.size());
    assertThat(scaleIns).isNotEmpty().allSatisfy(c -> assertThat(c.to()).isLessThan(c.from()));
    assertThat(group.activities()).filteredOn(a -> a.kind() == ScalingActivity.Kind.TERMINATE).hasSize(2)
        .allSatisfy(a -> {
          assertThat(a.status()).isEqualTo(ScalingActivityStatus.SUCCESSFUL);
          assertThat(a.cause()).contains("shrinking the capacity");
        });

    assertThat(heavy.failures).isEmpty();
    assertThat(trickle.failures).isEmpty();
    assertThat(heavy.succeeded.get() + trickle.succeeded.get()).isGreaterThan(0);
    assertThat(trickle.succeeded.get()).isEqualTo(trickle.sent.get()).isGreaterThan(0);
  }

  @Test
  void averageOutstandingRequestsPerTargetScalesOutUnderSlowRequests() {
    group = ScalingGroup.create(vertx, ScalingGroupConfig.builder("slow-asg",
            LaunchTemplate.builder(InProcessProvider.NAME).parameter("responseDelayMs", "200").build())
        .provider(provider)
        .capacity(1, 1, 3)
        .targetGroups(targetGroup)
        .monitoringInterval(Duration.ofMillis(250))
        .defaultCooldown(Duration.ZERO)
        .policies(ScalingPolicy.targetTracking("outstanding",
                ScalingPolicy.PredefinedMetric.AVERAGE_OUTSTANDING_REQUESTS_PER_TARGET, TG, 4)
            .scaleOutDatapoints(2).disableScaleIn(true).build())
        .build());
    group.start().await();
    await().atMost(Duration.ofSeconds(30)).until(() -> group.instances().size() == 1
        && group.instances().get(0).state() == InstanceState.IN_SERVICE);

    // 12 loops of 200 ms requests keep about 12 requests in flight: 3 instances are needed for 4 each.
    LoadGenerator load = new LoadGenerator(vertx, client, TG, 100_000, 60_000).start(12);
    await().atMost(Duration.ofSeconds(30)).until(() -> group.desiredCapacity() == 3 && group.instances().stream()
        .filter(i -> i.state() == InstanceState.IN_SERVICE).count() == 3);
    load.stop();
    await().atMost(Duration.ofSeconds(30)).until(load::idle);
    assertThat(group.activities()).filteredOn(a -> a.kind() == ScalingActivity.Kind.LAUNCH)
        .anySatisfy(a -> assertThat(a.cause()).contains("AverageOutstandingRequestsPerTarget = "));
    assertThat(load.failures).isEmpty();
  }

  @Test
  void stepScalingFollowsAnApplicationMetricAndScaleInNeedsEveryPolicy() {
    ManualTimeSource time = new ManualTimeSource();
    Duration interval = Duration.ofSeconds(60);
    AtomicLong queueDepth = new AtomicLong();
    AtomicLong otherLoad = new AtomicLong(100);
    AtomicLong evaluations = new AtomicLong();
    group = ScalingGroup.create(vertx, ScalingGroupConfig.builder("workers", LaunchTemplate.of(InProcessProvider.NAME))
        .provider(provider)
        .capacity(1, 1, 4)
        .monitoringInterval(interval)
        .defaultCooldown(Duration.ZERO)
        .policies(
            ScalingPolicy.stepScaling("queue-steps", "QueueDepth", queueDepth::get,
                    ScalingPolicy.AdjustmentType.CHANGE_IN_CAPACITY)
                .step(null, 10.0, -1).step(10.0, 100.0, 0).step(100.0, null, 2).build(),
            ScalingPolicy.targetTracking("other", "OtherLoad", () -> {
              evaluations.incrementAndGet();
              return otherLoad.get();
            }, 100)
                .scaleOutDatapoints(1).scaleInDatapoints(1).build())
        .build(), time);
    List<Change> changes = new CopyOnWriteArrayList<>();
    group.addListener(new ScalingGroupListener() {
      @Override
      public void onDesiredCapacityChanged(int previous, int current, String cause) {
        changes.add(new Change(previous, current, cause, Instant.ofEpochMilli(time.currentTimeMillis())));
      }
    });
    group.start().await();
    awaitInService(1);

    // One evaluation per interval: the step for 500 adds 2.
    queueDepth.set(500);
    time.advance(interval.minusMillis(1));
    assertThat(evaluations.get()).isZero();
    time.advance(Duration.ofMillis(1));
    assertThat(evaluations.get()).isEqualTo(1);
    assertThat(group.desiredCapacity()).isEqualTo(3);
    awaitInService(3);

    // The step policy wants fewer, the target-tracking policy (at its target) does not agree: no scale-in.
    queueDepth.set(0);
    int activities = group.activities().size();
    time.advance(interval.multipliedBy(10));
    assertThat(evaluations.get()).isEqualTo(11);
    assertThat(group.desiredCapacity()).isEqualTo(3);
    assertThat(group.activities()).hasSize(activities);

    // Both agree: scale in, one step per evaluation, down to the minimum.
    otherLoad.set(10);
    time.advance(interval);
    assertThat(group.desiredCapacity()).isEqualTo(2);
    awaitInService(2);
    time.advance(interval);
    assertThat(group.desiredCapacity()).isEqualTo(1);
    awaitInService(1);
    assertThat(changes).extracting(Change::from, Change::to).containsExactly(
        Tuple.tuple(1, 3), Tuple.tuple(3, 2), Tuple.tuple(2, 1));
    Instant origin = changes.get(0).at().minus(interval);
    assertThat(changes).extracting(c -> Duration.between(origin, c.at())).containsExactly(
        interval, interval.multipliedBy(12), interval.multipliedBy(13));
    assertThat(changes.get(1).cause())
        .contains("policy queue-steps, other (queue-steps: QueueDepth = 0.00; other: OtherLoad = 10.00)");
  }

  private void awaitInService(int n) {
    Soon.soon().until(() -> group.instances().size() == n && inService() == n);
  }

  private long inService() {
    return group.instances().stream().filter(i -> i.state() == InstanceState.IN_SERVICE).count();
  }
}
