package dev.loadstar.healthcheck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loadstar.core.Target;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetGroupConfig;
import dev.loadstar.core.TargetHealth;
import dev.loadstar.core.TargetHealth.State;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.function.IntUnaryOperator;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * ALB's thresholds, exactly, against a real backend on fake time: the backend counts the checks it answers and records
 * the health the group shows when each check arrives (which is the health after all previous checks); time moves only
 * from one check to the next.
 */
class ThresholdTest {

  private Vertx vertx;
  private TargetGroup group;
  private HealthChecker checker;
  private final FakeClock clock = new FakeClock();

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    group = TargetGroup.create(vertx, TargetGroupConfig.builder("web").healthCheckEnabled(true)
        .deregistrationDelay(Duration.ZERO).build());
  }

  @AfterEach
  void tearDown() {
    if (checker != null) {
      checker.close().await();
    }
    group.close().await();
    vertx.close().await();
  }

  private static HealthCheck fastChecks(int healthy, int unhealthy) {
    return HealthCheck.builder().interval(Duration.ofSeconds(10)).timeout(Duration.ofSeconds(5))
        .healthyThresholdCount(healthy).unhealthyThresholdCount(unhealthy).path("/health").build();
  }

  /** Registers one target on a scripted backend, checks it, and returns the states seen at checks 1..n+1. */
  private List<State> run(IntUnaryOperator script, HealthCheck hc, int checks) {
    ScriptedBackend backend = new ScriptedBackend(vertx, script);
    backend.serving(group, "i-a");
    group.register(Target.of("i-a", "127.0.0.1", backend.port()));
    checker = clock.start(vertx, group, hc, OutlierDetection.disabled());
    clock.runUntil(() -> backend.requests.get() >= checks + 1);
    checker.close().await();
    assertThat(backend.requests.get()).isGreaterThanOrEqualTo(checks + 1);
    List<State> states = backend.healthAtArrival.subList(0, checks + 1).stream().map(TargetHealth::state)
        .collect(Collectors.toList());
    backend.close();
    return states;
  }

  private static IntUnaryOperator statuses(int... codes) {
    return n -> n <= codes.length ? codes[n - 1] : 200;
  }

  @Test
  void newTargetIsHealthyAfterExactlyOnePassingCheck() {
    List<State> seen = run(statuses(200), fastChecks(5, 2), 1);
    // at the arrival of check 1 it is initial; at the arrival of check 2 (after one success) healthy
    assertThat(seen).containsExactly(State.INITIAL, State.HEALTHY);
  }

  @Test
  void unhealthyAfterExactlyTwoConsecutiveFailuresNotAfterTheFirst() {
    List<State> seen = run(statuses(200, 500, 500), fastChecks(5, 2), 3);
    assertThat(seen).containsExactly(State.INITIAL, State.HEALTHY, State.HEALTHY, State.UNHEALTHY);
  }

  @Test
  void aSuccessBetweenFailuresRestartsTheUnhealthyCount() {
    List<State> seen = run(statuses(200, 500, 200, 500, 200, 500, 500), fastChecks(5, 2), 7);
    assertThat(seen).containsExactly(State.INITIAL, State.HEALTHY, State.HEALTHY, State.HEALTHY, State.HEALTHY,
        State.HEALTHY, State.HEALTHY, State.UNHEALTHY);
  }

  @Test
  void unhealthyRecoversAfterExactlyHealthyThresholdConsecutiveSuccesses() {
    // healthy threshold 3: checks 4,5 pass, 6 fails (run broken), 7,8,9 pass -> healthy after check 9 exactly
    List<State> seen = run(statuses(200, 500, 500, 200, 200, 500, 200, 200, 200), fastChecks(3, 2), 9);
    assertThat(seen).containsExactly(State.INITIAL, State.HEALTHY, State.HEALTHY, State.UNHEALTHY,
        State.UNHEALTHY, State.UNHEALTHY, State.UNHEALTHY, State.UNHEALTHY, State.UNHEALTHY, State.HEALTHY);
  }

  @Test
  void initialTargetThatNeverPassesTurnsUnhealthyAfterTheUnhealthyThreshold() {
    List<State> seen = run(n -> 503, fastChecks(5, 3), 3);
    assertThat(seen).containsExactly(State.INITIAL, State.INITIAL, State.INITIAL, State.UNHEALTHY);
    assertThat(group.target("i-a").health()).isEqualTo(TargetHealth.unhealthy(
        TargetHealth.Reason.TARGET_RESPONSE_CODE_MISMATCH, "Health checks failed with these codes: [503]"));
  }
}
