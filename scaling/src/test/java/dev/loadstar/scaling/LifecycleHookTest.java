package dev.loadstar.scaling;

import static dev.loadstar.scaling.Soon.soon;
import static org.assertj.core.api.Assertions.assertThat;

import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetGroupConfig;
import dev.loadstar.core.time.ManualTimeSource;
import dev.loadstar.scaling.providers.InProcessProvider;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Lifecycle hooks on fake time: Pending:Wait before service, Terminating:Wait after draining, heartbeat timeouts
 * to the millisecond, and the launch backoff after an abandoned launch.
 */
class LifecycleHookTest {

  private static final Duration BACKOFF = Duration.ofSeconds(10);

  private final ManualTimeSource time = new ManualTimeSource();
  private Vertx vertx;
  private InProcessProvider provider;
  private TargetGroup targetGroup;
  private ScalingGroup group;
  private final List<String> states = new CopyOnWriteArrayList<>();
  private final List<ScalingActivity> updates = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    provider = new InProcessProvider(vertx);
    targetGroup = TargetGroup.create(vertx, TargetGroupConfig.builder("hooks-tg")
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

  private void start(int desired, LifecycleHook... hooks) {
    group = ScalingGroup.create(vertx, ScalingGroupConfig.builder("hooked", LaunchTemplate.of(InProcessProvider.NAME))
        .provider(provider).capacity(0, desired, 2).targetGroups(targetGroup)
        .healthCheckInterval(Duration.ofHours(1))
        .launchBackoff(BACKOFF, BACKOFF).lifecycleHooks(hooks).build(), time);
    group.addListener(new ScalingGroupListener() {
      @Override
      public void onInstanceStateChanged(Instance instance, InstanceState previous) {
        states.add(instance.id() + " " + (previous == null ? "-" : previous.apiName()) + " -> "
            + instance.state().apiName());
      }

      @Override
      public void onActivity(ScalingActivity activity) {
        updates.add(activity);
      }
    });
    group.start().await();
  }

  private List<ScalingActivity> launches() {
    return group.activities().stream().filter(a -> a.kind() == ScalingActivity.Kind.LAUNCH).toList();
  }

  private InstanceState onlyState() {
    assertThat(group.instances()).hasSize(1);
    return group.instances().get(0).state();
  }

  /** Waits until a timer is due {@code delay} from now (set by a task that may still be running). */
  private void awaitTimer(Duration delay) {
    soon().until(() -> time.pendingDelays().contains(delay));
  }

  private void awaitInService() {
    // an activity's end is recorded after its instance's state changed: wait for both
    soon().until(() -> group.instances().size() == 1
        && group.instances().get(0).state() == InstanceState.IN_SERVICE
        && group.activities().stream().allMatch(ScalingActivity::isDone));
  }

  @Test
  void abandonedLaunchTerminatesTheInstanceAndTheNextLaunchWaitsForTheBackoff() {
    AtomicInteger calls = new AtomicInteger();
    start(1, LifecycleHook.launching("verify-config", ctx -> Future.succeededFuture(
        calls.incrementAndGet() == 1 ? LifecycleHook.Result.ABANDON : LifecycleHook.Result.CONTINUE)).build());

    soon().until(() -> launches().size() == 1 && launches().get(0).isDone());
    ScalingActivity abandoned = launches().get(0);
    assertThat(abandoned.status()).isEqualTo(ScalingActivityStatus.FAILED);
    assertThat(abandoned.statusMessage()).contains("Lifecycle Action").contains("ABANDON");
    soon().until(() -> !provider.isRunning(abandoned.instanceId()));
    assertThat(targetGroup.target(abandoned.instanceId())).isNull();
    awaitTimer(BACKOFF);

    time.advance(BACKOFF.minusMillis(1));
    assertThat(launches()).as("no launch before the backoff ends").hasSize(1);
    time.advance(Duration.ofMillis(1));
    assertThat(launches()).hasSize(2);
    awaitInService();
    assertThat(launches().get(1).status()).isEqualTo(ScalingActivityStatus.SUCCESSFUL);
    assertThat(Duration.between(abandoned.endTime(), launches().get(1).startTime())).isEqualTo(BACKOFF);
    String id = group.instances().get(0).id();
    assertThat(states).containsSubsequence(id + " - -> Pending", id + " Pending -> Pending:Wait",
        id + " Pending:Wait -> InService");
    assertThat(updates).anyMatch(a -> a.status() == ScalingActivityStatus.MID_LIFECYCLE_ACTION);
  }

  @Test
  void heartbeatsKeepAHookAliveBeyondItsTimeoutAndSilenceGetsTheDefaultResult() {
    Duration timeout = Duration.ofSeconds(30);
    AtomicReference<LifecycleActionContext> first = new AtomicReference<>();
    AtomicInteger calls = new AtomicInteger();
    // The first launch's hook never answers (default result ABANDON); the relaunch's hook continues at once.
    start(1, LifecycleHook.launching("slow-warmup", ctx -> {
      if (calls.incrementAndGet() == 1) {
        first.set(ctx);
        return Promise.<LifecycleHook.Result>promise().future();
      }
      return Future.succeededFuture(LifecycleHook.Result.CONTINUE);
    }).heartbeatTimeout(timeout).build());
    soon().until(() -> first.get() != null);
    assertThat(onlyState()).isEqualTo(InstanceState.PENDING_WAIT);

    // Two heartbeats, each 1 s before the timeout: the hook outlives two timeouts.
    for (int beat = 0; beat < 2; beat++) {
      time.advance(timeout.minusSeconds(1));
      assertThat(onlyState()).isEqualTo(InstanceState.PENDING_WAIT);
      first.get().recordHeartbeat();
      soon().until(() -> time.pendingDelays().contains(timeout));
    }
    time.advance(timeout.minusMillis(1));
    assertThat(onlyState()).isEqualTo(InstanceState.PENDING_WAIT);
    assertThat(launches()).singleElement().extracting(ScalingActivity::status)
        .isEqualTo(ScalingActivityStatus.MID_LIFECYCLE_ACTION);

    time.advance(Duration.ofMillis(1));
    soon().until(() -> launches().get(0).isDone());
    ScalingActivity abandoned = launches().get(0);
    assertThat(abandoned.status()).isEqualTo(ScalingActivityStatus.FAILED);
    assertThat(Duration.between(abandoned.startTime(), abandoned.endTime()))
        .isEqualTo(timeout.multipliedBy(3).minusSeconds(2));

    awaitTimer(BACKOFF);
    time.advance(BACKOFF);
    awaitInService();
    assertThat(calls.get()).isEqualTo(2);
    assertThat(launches()).hasSize(2).last().extracting(ScalingActivity::status)
        .isEqualTo(ScalingActivityStatus.SUCCESSFUL);
  }

  @Test
  void silentHookTimesOutWithItsDefaultResult() {
    start(1, LifecycleHook.launching("never-answers", ctx -> Promise.<LifecycleHook.Result>promise().future())
        .heartbeatTimeout(Duration.ofMillis(200)).defaultResult(LifecycleHook.Result.CONTINUE).build());
    soon().until(() -> group.instances().size() == 1
        && group.instances().get(0).state() == InstanceState.PENDING_WAIT);
    time.advance(Duration.ofMillis(199));
    assertThat(onlyState()).isEqualTo(InstanceState.PENDING_WAIT);
    time.advance(Duration.ofMillis(1));
    awaitInService();
    assertThat(group.activities()).hasSize(1).allMatch(a -> a.status() == ScalingActivityStatus.SUCCESSFUL);
  }

  @Test
  void terminatingHookRunsAfterTheInstanceHasDrained() {
    List<String> seen = new CopyOnWriteArrayList<>();
    start(1, LifecycleHook.terminating("flush-logs", ctx -> {
      String id = ctx.instance().id();
      seen.add(ctx.transition().apiName() + " " + ctx.instance().state().apiName() + " registered="
          + (targetGroup.target(id) != null) + " running=" + provider.isRunning(id));
      return Future.succeededFuture(LifecycleHook.Result.CONTINUE);
    }).build());
    awaitInService();
    String id = group.instances().get(0).id();
    group.setDesiredCapacity(0).await();
    soon().until(() -> group.instances().isEmpty());

    assertThat(seen).containsExactly("autoscaling:EC2_INSTANCE_TERMINATING Terminating:Wait registered=false"
        + " running=true");
    assertThat(provider.isRunning(id)).isFalse();
    assertThat(states).containsSubsequence(id + " InService -> Terminating", id + " Terminating -> Terminating:Wait",
        id + " Terminating:Wait -> Terminated");
    List<ScalingActivityStatus> statuses = updates.stream()
        .filter(a -> a.kind() == ScalingActivity.Kind.TERMINATE).map(ScalingActivity::status).toList();
    assertThat(statuses).containsSubsequence(ScalingActivityStatus.WAITING_FOR_ELB_CONNECTION_DRAINING,
        ScalingActivityStatus.MID_LIFECYCLE_ACTION, ScalingActivityStatus.IN_PROGRESS,
        ScalingActivityStatus.SUCCESSFUL);
  }
}
