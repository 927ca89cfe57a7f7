package dev.loadstar.scaling;

import static dev.loadstar.scaling.Soon.soon;
import static org.assertj.core.api.Assertions.assertThat;

import dev.loadstar.core.time.ManualTimeSource;
import dev.loadstar.scaling.providers.InProcessProvider;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * When policies act, on fake time: one evaluation per monitoring interval, the datapoints a policy needs, instance
 * warmup (a new instance is not measured and holds scale-in back) and the cooldown after policy-driven activities.
 */
class PolicyTimingTest {

  private static final Duration INTERVAL = Duration.ofSeconds(60);

  private final ManualTimeSource time = new ManualTimeSource();
  private final AtomicLong load = new AtomicLong();
  /** Desired-capacity changes as "from->to@seconds". */
  private final List<String> changes = new CopyOnWriteArrayList<>();
  private Vertx vertx;
  private InProcessProvider provider;
  private ScalingGroup group;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    provider = new InProcessProvider(vertx);
  }

  @AfterEach
  void tearDown() {
    if (group != null) {
      group.close().await();
    }
    provider.close().await();
    vertx.close().await();
  }

  private void start(ScalingGroupConfig.Builder builder) {
    group = ScalingGroup.create(vertx, builder.provider(provider).monitoringInterval(INTERVAL)
        .healthCheckInterval(Duration.ofHours(1)).build(), time);
    group.addListener(new ScalingGroupListener() {
      @Override
      public void onDesiredCapacityChanged(int previous, int current, String cause) {
        changes.add(previous + "->" + current + "@" + time.nanoTime() / 1_000_000_000L);
      }
    });
    group.start().await();
  }

  private ScalingGroupConfig.Builder config(int min, int desired, int max) {
    return ScalingGroupConfig.builder("timed", LaunchTemplate.of(InProcessProvider.NAME)).capacity(min, desired, max);
  }

  /** Waits until every instance is in service and no activity runs: the group is idle at the current time. */
  private void awaitSettled(int n) {
    soon().until(() -> group.instances().size() == n
        && group.instances().stream().allMatch(i -> i.state() == InstanceState.IN_SERVICE)
        && group.activities().stream().allMatch(ScalingActivity::isDone));
  }

  /** Moves to the evaluation at {@code seconds} after start, checking nothing changes just before it. */
  private void evaluateAt(long seconds, int expectedDesired) {
    int before = group.desiredCapacity();
    long now = time.nanoTime() / 1_000_000;
    time.advance(Duration.ofMillis(seconds * 1000 - now - 1));
    assertThat(group.desiredCapacity()).as("desired capacity 1 ms before %d s", seconds).isEqualTo(before);
    time.advance(Duration.ofMillis(1));
    assertThat(group.desiredCapacity()).as("desired capacity after the evaluation at %d s", seconds)
        .isEqualTo(expectedDesired);
  }

  @Test
  void warmupDelaysTheFirstDatapointAndCooldownDelaysTheNextScaleOut() {
    load.set(250);
    start(config(1, 1, 4).defaultInstanceWarmup(Duration.ofSeconds(120)).defaultCooldown(Duration.ofSeconds(300))
        .policies(ScalingPolicy.targetTracking("load", "Load", load::get, 100).scaleOutDatapoints(2).build()));
    awaitSettled(1);

    // In service at 0 s, warm at 120 s: no datapoint at 60 s, the first at 120 s, the second (scale out) at 180 s.
    evaluateAt(60, 1);
    evaluateAt(120, 1);
    evaluateAt(180, 3);
    awaitSettled(3);

    // The launches ended at 180 s: cooldown until 480 s. Load keeps asking for more at 240, 300, ... 420 s.
    load.set(400);
    for (long s = 240; s <= 420; s += 60) {
      evaluateAt(s, 3);
    }
    evaluateAt(480, 4);
    awaitSettled(4);
    assertThat(changes).containsExactly("1->3@180", "3->4@480");
    assertThat(group.activities()).filteredOn(a -> a.kind() == ScalingActivity.Kind.LAUNCH).hasSize(4)
        .allMatch(a -> a.status() == ScalingActivityStatus.SUCCESSFUL);
  }

  @Test
  void scaleInWaitsWhileAnyInstanceIsWarmingUp() {
    load.set(5);
    start(config(1, 2, 3).defaultInstanceWarmup(Duration.ofSeconds(150)).defaultCooldown(Duration.ZERO)
        .policies(ScalingPolicy.stepScaling("load-steps", "Load", load::get,
                ScalingPolicy.AdjustmentType.CHANGE_IN_CAPACITY)
            .step(null, 10.0, -1).step(10.0, null, 0).build()));
    awaitSettled(2);

    // Both instances warm up until 150 s: the step asks for one fewer at 60 and 120 s but waits; at 180 s it acts.
    evaluateAt(60, 2);
    evaluateAt(120, 2);
    evaluateAt(180, 1);
    awaitSettled(1);
    assertThat(changes).containsExactly("2->1@180");
    assertThat(group.activities()).filteredOn(a -> a.kind() == ScalingActivity.Kind.TERMINATE).singleElement()
        .satisfies(a -> assertThat(a.cause()).contains("policy load-steps (load-steps: Load = 5.00)"));
  }

  @Test
  void targetTrackingScalesInOnlyAfterItsDatapointsBelowNinetyPercentOfTheTarget() {
    load.set(95);
    start(config(1, 3, 3).defaultCooldown(Duration.ZERO)
        .policies(ScalingPolicy.targetTracking("load", "Load", load::get, 100).scaleInDatapoints(3).build()));
    awaitSettled(3);

    // 95 is below the target but above 90 % of it: no scale-in, however long.
    for (long s = 60; s <= 600; s += 60) {
      evaluateAt(s, 3);
    }
    // 30 per instance: ceil(3 x 30 / 100) = 1 instance, after three datapoints (660, 720, 780 s).
    load.set(30);
    evaluateAt(660, 3);
    evaluateAt(720, 3);
    evaluateAt(780, 1);
    awaitSettled(1);
    assertThat(changes).containsExactly("3->1@780");
  }
}
