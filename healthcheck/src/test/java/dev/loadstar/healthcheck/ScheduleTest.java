package dev.loadstar.healthcheck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loadstar.core.RegisteredTarget;
import dev.loadstar.core.Target;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetGroupConfig;
import dev.loadstar.core.TargetHealth;
import dev.loadstar.healthcheck.internal.DefaultHealthChecker;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * When checks run, on fake time (checks still go to a real server on 127.0.0.1): the first check within
 * {@code min(interval, 1 s)}, each next one interval ± 10 % after the previous one was planned, the deadline at
 * exactly the timeout, and nothing left on the clock after close.
 */
class ScheduleTest {

  /** One finished check as the checker reports it, times in fake nanoseconds. */
  private record Check(String targetId, long plannedNanos, long startNanos, long endNanos, TargetHealth failure,
      Context context) {
  }

  private Vertx vertx;
  private TargetGroup group;
  private DefaultHealthChecker checker;
  private final FakeClock clock = new FakeClock();
  private final List<Check> checks = new CopyOnWriteArrayList<>();
  private final AtomicInteger requests = new AtomicInteger();

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

  private int server(boolean answer) {
    HttpServer server = vertx.createHttpServer().requestHandler(req -> {
      requests.incrementAndGet();
      if (answer) {
        req.response().end("ok");
      }
    }).listen(0, "127.0.0.1").await();
    return server.actualPort();
  }

  private void start(HealthCheck hc, int port, int targets) {
    for (int i = 0; i < targets; i++) {
      group.register(Target.of("i-" + i, "127.0.0.1", port));
    }
    checker = clock.start(vertx, group, hc, OutlierDetection.disabled());
    checker.probeListener((t, planned, start, end, failure, active) ->
        checks.add(new Check(t.target().id(), planned, start, end, failure, Vertx.currentContext())));
    FakeClock.waitFor(() -> checker.trackedTargets() == targets);
  }

  private Map<String, Long> firstPlanned(int targets) {
    clock.runUntil(() -> checks.stream().map(Check::targetId).distinct().count() == targets);
    Map<String, Long> first = new ConcurrentHashMap<>();
    for (Check c : checks) {
      first.putIfAbsent(c.targetId(), c.plannedNanos());
    }
    return first;
  }

  @Test
  void firstChecksAreSpreadOverOneSecondWhenTheIntervalIsLonger() {
    start(HealthCheck.builder().interval(Duration.ofSeconds(30)).timeout(Duration.ofSeconds(5)).build(),
        server(true), 20);
    Map<String, Long> first = firstPlanned(20);
    assertThat(first.values()).allSatisfy(t -> assertThat(t).isBetween(0L, Duration.ofSeconds(1).toNanos()));
    // spread at random, not all at once
    assertThat(first.values().stream().distinct().count()).isGreaterThan(1);
  }

  @Test
  void firstChecksAreSpreadOverOneIntervalWhenItIsShorterThanOneSecond() {
    start(HealthCheck.builder().embedded(true).interval(Duration.ofMillis(400)).timeout(Duration.ofMillis(300))
        .build(), server(true), 20);
    Map<String, Long> first = firstPlanned(20);
    assertThat(first.values()).allSatisfy(t -> assertThat(t).isBetween(0L, Duration.ofMillis(400).toNanos()));
    assertThat(first.values().stream().distinct().count()).isGreaterThan(1);
  }

  @Test
  void eachCheckIsPlannedOneIntervalPlusOrMinusTenPercentAfterThePreviousOne() {
    start(HealthCheck.builder().interval(Duration.ofSeconds(10)).timeout(Duration.ofSeconds(2)).build(),
        server(true), 1);
    clock.runUntil(() -> checks.size() >= 40);
    List<Long> gaps = new ArrayList<>();
    for (int i = 1; i < checks.size(); i++) {
      gaps.add(checks.get(i).plannedNanos() - checks.get(i - 1).plannedNanos());
      // a check starts when it was planned: fake time never runs late
      assertThat(checks.get(i).startNanos()).isEqualTo(checks.get(i).plannedNanos());
    }
    long ms = 1_000_000L;
    assertThat(gaps).allSatisfy(g -> assertThat(g).isBetween(9_000 * ms, 11_000 * ms));
    // jittered both ways around the interval, not a fixed period
    assertThat(gaps).anySatisfy(g -> assertThat(g).isLessThan(10_000 * ms));
    assertThat(gaps).anySatisfy(g -> assertThat(g).isGreaterThan(10_000 * ms));
    assertThat(checks).allSatisfy(c -> assertThat(c.failure()).isNull());
    // the fake clock's timers ran each check on the target's own event-loop context, as Vert.x timers do
    assertThat(checks).extracting(Check::context).doesNotContainNull().containsOnly(checks.get(0).context());
    assertThat(checks.get(0).context().isEventLoopContext()).isTrue();
  }

  @Test
  void aCheckWithoutAnswerTimesOutAtExactlyTheTimeout() {
    start(HealthCheck.builder().interval(Duration.ofSeconds(10)).timeout(Duration.ofSeconds(3)).build(),
        server(false), 1);
    // move to the first check's start, then wait until its request reached the server that never answers
    clock.idleWhen(() -> checker.unsettledChecks() == 0
        || checker.inFlightChecks() == 1 && requests.get() == checks.size() + 1);
    clock.runUntil(() -> checker.inFlightChecks() == 1 && requests.get() == 1);
    long started = clock.time.nanoTime();
    clock.time.advance(Duration.ofSeconds(3).minusMillis(1));
    assertThat(checker.inFlightChecks()).as("1 ms before the timeout").isEqualTo(1);
    assertThat(checks).isEmpty();
    clock.time.advance(Duration.ofMillis(1));
    assertThat(checker.inFlightChecks()).as("at the timeout").isZero();
    assertThat(checks).hasSize(1);
    Check c = checks.get(0);
    assertThat(c.failure()).isEqualTo(TargetHealth.unhealthy(TargetHealth.Reason.TARGET_TIMEOUT,
        "Request timed out"));
    assertThat(c.startNanos()).isEqualTo(started);
    assertThat(c.endNanos() - c.startNanos()).isEqualTo(Duration.ofSeconds(3).toNanos());
  }

  @Test
  void closeEndsACheckInFlightWithoutAVerdict() {
    start(HealthCheck.builder().interval(Duration.ofSeconds(10)).timeout(Duration.ofSeconds(3)).build(),
        server(false), 1);
    clock.idleWhen(() -> checker.unsettledChecks() == 0 || checker.inFlightChecks() == 1 && requests.get() == 1);
    clock.runUntil(() -> checker.inFlightChecks() == 1 && requests.get() == 1);
    checker.close().await();
    assertThat(checker.inFlightChecks()).isZero();
    assertThat(checker.unsettledChecks()).isZero();
    assertThat(clock.time.pendingTimers()).isZero();
    assertThat(checks).isEmpty();
    assertThat(group.target("i-0").health()).isEqualTo(TargetHealth.INITIAL);
  }

  @Test
  void closeCancelsEveryTimerAndNoCheckRunsAfterwards() {
    start(HealthCheck.builder().interval(Duration.ofSeconds(5)).timeout(Duration.ofSeconds(2)).build(),
        server(true), 5);
    clock.runUntil(() -> checks.size() >= 10);
    assertThat(clock.time.pendingTimers()).isPositive();
    assertThat(checker.liveTimers()).isPositive();
    checker.close().await();
    assertThat(clock.time.pendingTimers()).isZero();
    assertThat(checker.liveTimers()).isZero();
    int atClose = requests.get();
    clock.time.advance(Duration.ofHours(1));
    assertThat(requests.get()).isEqualTo(atClose);
    assertThat(group.targets()).extracting(RegisteredTarget::health).containsOnly(TargetHealth.HEALTHY);
  }
}
