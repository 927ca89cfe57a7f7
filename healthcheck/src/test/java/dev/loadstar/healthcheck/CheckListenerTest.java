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
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The public check listener: every finished check, in order, before the health change it causes is applied (on fake
 * time, against a real backend).
 */
class CheckListenerTest {

  /** What the listener saw at one check. */
  private record Seen(boolean passed, String reason, State activeState, State groupState) {
  }

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

  @Test
  void listenerSeesEveryCheckAndTheTurningCheckBeforeTheGroupChanges() {
    ScriptedBackend backend = new ScriptedBackend(vertx, n -> n <= 2 ? 200 : 503);
    group.register(Target.of("i-a", "127.0.0.1", backend.port()));
    List<Seen> seen = new CopyOnWriteArrayList<>();
    checker = clock.start(vertx, group, HealthCheck.builder().interval(Duration.ofSeconds(10))
        .timeout(Duration.ofSeconds(5)).unhealthyThresholdCount(2).build(), OutlierDetection.disabled());
    Runnable remove = checker.addCheckListener((target, failure, active) -> seen.add(new Seen(failure == null,
        failure == null ? null : failure.reason().code(), active.state(), target.health().state())));

    clock.runUntil(() -> seen.size() >= 4);
    remove.run();
    int after = seen.size();

    // check 1 passes (initial -> healthy), check 2 passes, checks 3 and 4 fail: unhealthy on exactly the 2nd failure,
    // and the listener runs before the group shows it
    assertThat(seen.subList(0, 4)).containsExactly(
        new Seen(true, null, State.HEALTHY, State.INITIAL),
        new Seen(true, null, State.HEALTHY, State.HEALTHY),
        new Seen(false, "Target.ResponseCodeMismatch", State.HEALTHY, State.HEALTHY),
        new Seen(false, "Target.ResponseCodeMismatch", State.UNHEALTHY, State.HEALTHY));
    FakeClock.waitFor(() -> group.target("i-a").health().state() == State.UNHEALTHY);

    // removed: later checks are not reported
    int requests = backend.requests.get();
    clock.runUntil(() -> backend.requests.get() >= requests + 2);
    assertThat(seen).hasSize(after);
    assertThat(group.target("i-a").health().reason()).isEqualTo(TargetHealth.Reason.TARGET_RESPONSE_CODE_MISMATCH);
    backend.close();
  }
}
