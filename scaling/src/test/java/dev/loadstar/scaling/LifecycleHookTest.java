package dev.loadstar.scaling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetGroupConfig;
import dev.loadstar.scaling.providers.InProcessProvider;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Lifecycle hooks: Pending:Wait before service, Terminating:Wait after draining, timeouts and heartbeats. */
class LifecycleHookTest {

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
        .launchBackoff(Duration.ofMillis(100), Duration.ofMillis(200)).lifecycleHooks(hooks).build());
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

  @Test
  void abandonedLaunchTerminatesTheInstanceAndIsRecordedAsFailed() {
    AtomicInteger calls = new AtomicInteger();
    start(1, LifecycleHook.launching("verify-config", ctx -> Future.succeededFuture(
        calls.incrementAndGet() == 1 ? LifecycleHook.Result.ABANDON : LifecycleHook.Result.CONTINUE)).build());

    await().atMost(Duration.ofSeconds(30)).until(() -> group.instances().size() == 1
        && group.instances().get(0).state() == InstanceState.IN_SERVICE);
    List<ScalingActivity> launches = group.activities().stream()
        .filter(a -> a.kind() == ScalingActivity.Kind.LAUNCH).toList();
    assertThat(launches).hasSize(2);
    ScalingActivity abandoned = launches.get(0);
    assertThat(abandoned.status()).isEqualTo(ScalingActivityStatus.FAILED);
    assertThat(abandoned.statusMessage()).contains("Lifecycle Action").contains("ABANDON");
    await().atMost(Duration.ofSeconds(30)).until(() -> !provider.isRunning(abandoned.instanceId()));
    assertThat(targetGroup.target(abandoned.instanceId())).isNull();
    assertThat(launches.get(1).status()).isEqualTo(ScalingActivityStatus.SUCCESSFUL);
    String id = group.instances().get(0).id();
    assertThat(states).containsSubsequence(id + " - -> Pending", id + " Pending -> Pending:Wait",
        id + " Pending:Wait -> InService");
    assertThat(updates).anyMatch(a -> a.status() == ScalingActivityStatus.MID_LIFECYCLE_ACTION);
  }

  @Test
  void heartbeatsKeepAHookAliveBeyondItsTimeoutAndSilenceGetsTheDefaultResult() {
    // The hook takes ~3 heartbeat timeouts, sending a heartbeat every half timeout; the default result is ABANDON.
    start(1, LifecycleHook.launching("slow-warmup", ctx -> {
      Promise<LifecycleHook.Result> p = Promise.promise();
      AtomicInteger beats = new AtomicInteger();
      vertx.setPeriodic(150, id -> {
        if (beats.incrementAndGet() == 6) {
          vertx.cancelTimer(id);
          p.complete(LifecycleHook.Result.CONTINUE);
        } else {
          ctx.recordHeartbeat();
        }
      });
      return p.future();
    }).heartbeatTimeout(Duration.ofMillis(300)).build());
    await().atMost(Duration.ofSeconds(30)).until(() -> group.instances().size() == 1
        && group.instances().get(0).state() == InstanceState.IN_SERVICE);
    assertThat(group.activities()).hasSize(1).allMatch(a -> a.status() == ScalingActivityStatus.SUCCESSFUL);
  }

  @Test
  void silentHookTimesOutWithItsDefaultResult() {
    start(1, LifecycleHook.launching("never-answers", ctx -> Promise.<LifecycleHook.Result>promise().future())
        .heartbeatTimeout(Duration.ofMillis(200)).defaultResult(LifecycleHook.Result.CONTINUE).build());
    await().atMost(Duration.ofSeconds(30)).until(() -> group.instances().size() == 1
        && group.instances().get(0).state() == InstanceState.IN_SERVICE);
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
    await().atMost(Duration.ofSeconds(30)).until(() -> group.instances().size() == 1
        && group.instances().get(0).state() == InstanceState.IN_SERVICE);
    String id = group.instances().get(0).id();
    group.setDesiredCapacity(0).await();
    await().atMost(Duration.ofSeconds(30)).until(() -> group.instances().isEmpty());

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
