package dev.loadstar.scaling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loadstar.scaling.providers.InProcessProvider;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Validation of group settings, policies and hooks: every message is {@code name: value (expected: ...)}. */
class ScalingGroupConfigTest {

  private static final LaunchTemplate TEMPLATE = LaunchTemplate.of(InProcessProvider.NAME);

  private static ScalingGroupConfig.Builder builder() {
    return ScalingGroupConfig.builder("asg", TEMPLATE);
  }

  @Test
  void desiredCapacityOutsideMinAndMaxIsRejected() {
    assertThatThrownBy(() -> builder().capacity(1, 5, 4).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("desiredCapacity: 5 (expected: minSize 1 <= desiredCapacity <= maxSize 4)");
    assertThatThrownBy(() -> builder().capacity(1, 0, 4).build())
        .hasMessage("desiredCapacity: 0 (expected: minSize 1 <= desiredCapacity <= maxSize 4)");
  }

  @Test
  void maxBelowMinAndNegativeMinAreRejected() {
    assertThatThrownBy(() -> builder().capacity(3, 3, 2).build())
        .hasMessage("maxSize: 2 (expected: >= minSize 3)");
    assertThatThrownBy(() -> builder().capacity(-1, 0, 2).build())
        .hasMessage("minSize: -1 (expected: >= 0)");
  }

  @Test
  void defaultsAreAutoScalingsAndDesiredDefaultsToMin() {
    ScalingGroupConfig c = builder().capacity(2, 2, 4).build();
    assertThat(c.healthCheckType()).isEqualTo(HealthCheckType.PROVIDER);
    assertThat(c.healthCheckType().apiName()).isEqualTo("EC2");
    assertThat(c.healthCheckGracePeriod()).isEqualTo(Duration.ZERO);
    assertThat(c.defaultCooldown()).isEqualTo(Duration.ofSeconds(300));
    assertThat(c.defaultInstanceWarmup()).isEqualTo(Duration.ZERO);
    assertThat(c.terminationPolicy()).isEqualTo(TerminationPolicy.OLDEST_INSTANCE);
    assertThat(ScalingGroupConfig.builder("asg", TEMPLATE).build().desiredCapacity()).isZero();
  }

  @Test
  void badNamesDurationsAndDuplicatesAreRejected() {
    assertThatThrownBy(() -> ScalingGroupConfig.builder("my asg", TEMPLATE).build())
        .hasMessage("autoScalingGroupName: \"my asg\" (expected: 1-255 characters of letters, digits, -, _ and .)");
    assertThatThrownBy(() -> builder().healthCheckGracePeriod(Duration.ofSeconds(-1)).build())
        .hasMessage("healthCheckGracePeriod: PT-1S (expected: >= PT0S)");
    assertThatThrownBy(() -> builder().healthCheckInterval(Duration.ZERO).build())
        .hasMessage("healthCheckInterval: PT0S (expected: > 0)");
    assertThatThrownBy(() -> builder().defaultInstanceWarmup(Duration.ofSeconds(3601)).build())
        .hasMessage("defaultInstanceWarmup: PT1H1S (expected: PT0S-PT1H)");
    assertThatThrownBy(() -> builder().launchBackoff(Duration.ofSeconds(10), Duration.ofSeconds(1)).build())
        .hasMessage("launchBackoffMax: PT1S (expected: >= launchBackoffInitial PT10S)");
    ScalingPolicy p = ScalingPolicy.targetTracking("p", "load", () -> 1, 10).build();
    assertThatThrownBy(() -> builder().policies(p, p).build())
        .hasMessage("policies[1].name: \"p\" (expected: unique within the group)");
    assertThatThrownBy(() -> LaunchTemplate.of(" ")).hasMessage("provider: \" \" (expected: a non-blank string)");
  }

  @Test
  void policiesAreValidated() {
    assertThatThrownBy(() -> ScalingPolicy.targetTracking("rpt",
        ScalingPolicy.PredefinedMetric.ALB_REQUEST_COUNT_PER_TARGET, "tg", 0).build())
        .hasMessage("targetValue: 0.0 (expected: > 0)");
    assertThatThrownBy(() -> ScalingPolicy.targetTracking("rpt",
        ScalingPolicy.PredefinedMetric.ALB_REQUEST_COUNT_PER_TARGET, "tg", 100).scaleOutDatapoints(0).build())
        .hasMessage("scaleOutDatapoints: 0 (expected: 1-100)");
    assertThatThrownBy(() -> ScalingPolicy.stepScaling("steps", "queue", () -> 0,
        ScalingPolicy.AdjustmentType.CHANGE_IN_CAPACITY).build())
        .hasMessage("stepAdjustments: 0 (expected: 1-20)");
    assertThatThrownBy(() -> ScalingPolicy.stepScaling("steps", "queue", () -> 0,
            ScalingPolicy.AdjustmentType.CHANGE_IN_CAPACITY).step(0.0, 10.0, 1).step(5.0, null, 2).build())
        .hasMessage("stepAdjustments[1]: [5.0, null) (expected: no overlap with stepAdjustments[0])");
    assertThatThrownBy(() -> ScalingPolicy.stepScaling("steps", "queue", () -> 0,
            ScalingPolicy.AdjustmentType.CHANGE_IN_CAPACITY).step(0.0, null, 1).minAdjustmentMagnitude(2).build())
        .hasMessage("minAdjustmentMagnitude: 2 (expected: 0 unless adjustmentType is PercentChangeInCapacity)");
  }

  @Test
  void lifecycleHooksAllowShortTimeoutsButNotZeroOrAboveTwoHours() {
    LifecycleHook.Handler h = ctx -> Future.succeededFuture(LifecycleHook.Result.CONTINUE);
    LifecycleHook hook = LifecycleHook.launching("warm-cache", h).heartbeatTimeout(Duration.ofMillis(200)).build();
    assertThat(hook.defaultResult()).isEqualTo(LifecycleHook.Result.ABANDON);
    assertThat(LifecycleHook.terminating("t", h).build().heartbeatTimeout()).isEqualTo(Duration.ofSeconds(3600));
    assertThatThrownBy(() -> LifecycleHook.launching("warm-cache", h).heartbeatTimeout(Duration.ZERO).build())
        .hasMessage("heartbeatTimeout: PT0S (expected: > PT0S and <= PT2H)");
    assertThatThrownBy(() -> LifecycleHook.launching("warm-cache", h).heartbeatTimeout(Duration.ofSeconds(7201))
        .build()).hasMessage("heartbeatTimeout: PT2H1S (expected: > PT0S and <= PT2H)");
    assertThatThrownBy(() -> LifecycleHook.launching("warm cache", h).build())
        .hasMessage("lifecycleHookName: \"warm cache\" (expected: 1-255 characters of letters, digits, -, _ and /)");
  }

  @Test
  void runTimeCapacityChangesAreValidatedWithTheSameMessages() {
    Vertx vertx = Vertx.vertx();
    try {
      ScalingGroup group = ScalingGroup.create(vertx, builder().capacity(1, 1, 3).build());
      assertThat(captured(group.setDesiredCapacity(4))).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("desiredCapacity: 4 (expected: minSize 1 <= desiredCapacity <= maxSize 3)");
      assertThat(captured(group.updateCapacity(2, 1, 3)))
          .hasMessage("desiredCapacity: 1 (expected: minSize 2 <= desiredCapacity <= maxSize 3)");
      assertThat(group.desiredCapacity()).isEqualTo(1);
      group.close().await();
    } finally {
      vertx.close().await();
    }
  }

  private static Throwable captured(Future<?> f) {
    try {
      f.await();
      return null;
    } catch (Exception e) {
      return e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
    }
  }
}
