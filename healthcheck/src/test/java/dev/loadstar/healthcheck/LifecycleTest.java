package dev.loadstar.healthcheck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loadstar.core.RegisteredTarget;
import dev.loadstar.core.Target;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetGroupConfig;
import dev.loadstar.core.TargetHealth;
import dev.loadstar.core.TargetHealth.State;
import dev.loadstar.healthcheck.internal.DefaultHealthChecker;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Starting, following membership, bounding concurrency and closing. Membership runs on fake time; closing and the
 * concurrency cap are shown on real Vert.x timers.
 */
class LifecycleTest {

  private Vertx vertx;
  private TargetGroup group;
  private DefaultHealthChecker checker;

  @BeforeAll
  static void warmUp() {
    Warmup.ensure();
  }

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

  /** Checks that run on fake time: only as often as the test moves it. */
  private static HealthCheck.Builder slow() {
    return HealthCheck.builder().interval(Duration.ofSeconds(10)).timeout(Duration.ofSeconds(5));
  }

  private static HealthCheck.Builder fast() {
    return HealthCheck.builder().embedded(true).interval(Duration.ofMillis(100)).timeout(Duration.ofMillis(90));
  }

  private void start(HealthCheck hc) {
    checker = (DefaultHealthChecker) HealthChecker.start(vertx, group, hc, OutlierDetection.defaults());
  }

  @Test
  void closeLeavesNoTimerAndNoCheckArrivesAfterIt() {
    ScriptedBackend backend = new ScriptedBackend(vertx, n -> 200);
    for (int i = 0; i < 5; i++) {
      group.register(Target.of("i-" + i, "127.0.0.1", backend.port()));
    }
    start(fast().build());
    await().atMost(Duration.ofSeconds(10)).until(() -> backend.requests.get() >= 20);
    assertThat(checker.liveTimers()).isPositive();
    checker.close().await();
    assertThat(checker.liveTimers()).isZero();
    int atClose = backend.requests.get();
    // at most the five checks that were in flight at close may still land; five targets every 100 ms would send
    // about 30 more in this window if any schedule were left running
    await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(2))
        .until(() -> backend.requests.get() <= atClose + 5);
  }

  @Test
  void closeIsIdempotent() {
    group.register(Target.of("i-a", "127.0.0.1", new ScriptedBackend(vertx, n -> 200).port()));
    start(fast().build());
    Future<Void> first = checker.close();
    Future<Void> second = checker.close();
    assertThat(second).isSameAs(first);
    first.await();
    assertThat(checker.close().succeeded()).isTrue();
    assertThat(checker.liveTimers()).isZero();
  }

  @Test
  void checkingStopsWhenATargetIsDeregistered() {
    ScriptedBackend a = new ScriptedBackend(vertx, n -> 200);
    ScriptedBackend b = new ScriptedBackend(vertx, n -> 200);
    group.register(Target.of("i-a", "127.0.0.1", a.port()));
    group.register(Target.of("i-b", "127.0.0.1", b.port()));
    FakeClock clock = new FakeClock();
    checker = clock.start(vertx, group, slow().build(), OutlierDetection.defaults());
    clock.runUntil(() -> a.requests.get() >= 3 && b.requests.get() >= 3);
    group.deregister("i-a").await();
    FakeClock.waitFor(() -> checker.trackedTargets() == 1);
    int aAtDeregistration = a.requests.get();
    int bAtDeregistration = b.requests.get();
    clock.runUntil(() -> b.requests.get() >= bAtDeregistration + 5);
    assertThat(a.requests.get()).as("no check of the deregistered target").isEqualTo(aAtDeregistration);
  }

  @Test
  void targetsRegisteredAfterStartAndReRegisteredWhileDrainingAreChecked() {
    TargetGroup draining = TargetGroup.create(vertx, TargetGroupConfig.builder("slow").healthCheckEnabled(true)
        .deregistrationDelay(Duration.ofSeconds(300)).build());
    FakeClock clock = new FakeClock();
    checker = clock.start(vertx, draining, slow().build(), OutlierDetection.defaults());
    ScriptedBackend backend = new ScriptedBackend(vertx, n -> 200);
    RegisteredTarget t = draining.register(Target.of("i-a", "127.0.0.1", backend.port()));
    clock.runUntil(() -> t.health().equals(TargetHealth.HEALTHY));
    assertThat(t.tryStartRequest()).isTrue(); // an in-flight request keeps it draining
    draining.deregister("i-a");
    assertThat(t.health().state()).isEqualTo(State.DRAINING);
    FakeClock.waitFor(() -> checker.trackedTargets() == 0);
    int atDraining = backend.requests.get();
    clock.advance(Duration.ofMinutes(1));
    assertThat(backend.requests.get()).as("a draining target is not checked").isEqualTo(atDraining);
    draining.register(Target.of("i-a", "127.0.0.1", backend.port())); // stops the draining: initial again
    clock.runUntil(() -> t.health().equals(TargetHealth.HEALTHY));
    assertThat(backend.requests.get()).isGreaterThan(atDraining);
    assertThat(checker.trackedTargets()).isEqualTo(1);
    t.endRequest(dev.loadstar.core.RequestOutcome.SUCCESS, 1);
    checker.close().await();
    draining.close().await();
  }

  @Test
  void concurrencyIsBoundedAndChecksOfOneTargetNeverOverlap() {
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger maxInFlight = new AtomicInteger();
    int port = vertx.createHttpServer().requestHandler(req -> {
      maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
      vertx.setTimer(40, id -> {
        inFlight.decrementAndGet();
        req.response().end();
      });
    }).listen(0, "127.0.0.1").await().actualPort();
    for (int i = 0; i < 12; i++) {
      group.register(Target.of("i-" + i, "127.0.0.1", port));
    }
    start(HealthCheck.builder().embedded(true).interval(Duration.ofMillis(300)).timeout(Duration.ofMillis(280))
        .maxConcurrentChecks(3).build());
    // the listener runs on the checker's event loops: one target's checks always on the same one
    Map<String, List<long[]>> windows = new ConcurrentHashMap<>();
    AtomicInteger failedChecks = new AtomicInteger();
    checker.probeListener((t, planned, startNanos, endNanos, failure, active) -> {
      windows.computeIfAbsent(t.target().id(), k -> new CopyOnWriteArrayList<>())
          .add(new long[] {startNanos, endNanos});
      if (failure != null) {
        failedChecks.incrementAndGet();
      }
    });
    await().atMost(Duration.ofSeconds(20)).until(() -> group.targets().stream()
        .allMatch(t -> t.health().state() == State.HEALTHY));
    await().atMost(Duration.ofSeconds(20)).until(() -> windows.size() == 12
        && windows.values().stream().allMatch(w -> w.size() >= 3));
    checker.close().await();
    // a check the checker gave up on (timed out: the server's 40 ms answer came late on a loaded machine) frees its
    // slot while the server may still hold its request: the server then counts one more, once per such check
    assertThat(maxInFlight.get()).isBetween(1, 3 + failedChecks.get());
    for (Map.Entry<String, List<long[]>> e : windows.entrySet()) {
      List<long[]> w = e.getValue();
      for (int i = 1; i < w.size(); i++) {
        assertThat(w.get(i)[0]).as("check %d of %s starts after the previous one ended", i, e.getKey())
            .isGreaterThanOrEqualTo(w.get(i - 1)[1]);
      }
    }
  }
}
