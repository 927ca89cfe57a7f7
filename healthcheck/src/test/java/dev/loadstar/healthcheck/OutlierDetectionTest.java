package dev.loadstar.healthcheck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loadstar.core.HealthChangeEvent;
import dev.loadstar.core.LoadBalancedClient;
import dev.loadstar.core.RegisteredTarget;
import dev.loadstar.core.RequestOutcome;
import dev.loadstar.core.Target;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetGroupConfig;
import dev.loadstar.core.TargetGroupListener;
import dev.loadstar.core.TargetHealth;
import dev.loadstar.core.TargetHealth.Reason;
import dev.loadstar.core.TargetHealth.State;
import dev.loadstar.healthcheck.internal.DefaultHealthChecker;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Passive health: request outcomes eject targets through per-target circuit breakers. Ejection times run on fake
 * time; the cap is shown with real traffic from the load-balanced client.
 */
class OutlierDetectionTest {

  private Vertx vertx;
  private TargetGroup group;
  private DefaultHealthChecker checker;
  private final List<HealthChangeEvent> events = new CopyOnWriteArrayList<>();
  private final FakeClock clock = new FakeClock();

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void tearDown() {
    if (checker != null) {
      checker.close().await();
    }
    if (group != null) {
      group.close().await();
    }
    vertx.close().await();
  }

  private void passiveGroup(OutlierDetection od, String... ids) {
    group = TargetGroup.create(vertx, TargetGroupConfig.builder("web").build());
    group.addListener(new TargetGroupListener() {
      @Override
      public void onHealthChanged(HealthChangeEvent event) {
        events.add(event);
      }
    });
    int port = 20_000;
    for (String id : ids) {
      group.register(Target.of(id, "127.0.0.1", port++));
    }
    checker = clock.start(vertx, group, HealthCheck.defaults(), od);
    await().atMost(Duration.ofSeconds(10)).until(() -> checker.trackedTargets() == ids.length);
  }

  /** Fails the target's requests until it is ejected; returns its ejection description. */
  private String ejectAfter(RegisteredTarget t, int failures) {
    int before = checker.ejectedTargets();
    for (int i = 0; i < failures; i++) {
      request(t, RequestOutcome.TARGET_5XX);
    }
    FakeClock.waitFor(() -> checker.ejectedTargets() == before + 1
        && t.health().reason() == Reason.TARGET_OUTLIER_EJECTED);
    return t.health().description();
  }

  /** The ejection lasts exactly {@code time} of (fake) time: still ejected 1 ms before, back in rotation at it. */
  private void assertEjectionLasts(RegisteredTarget t, Duration time) {
    clock.advance(time.minusMillis(1));
    assertThat(checker.ejectedTargets()).as("1 ms before the end of a %s ejection", time).isEqualTo(1);
    assertThat(checker.breakerState(t)).isEqualTo(CircuitBreaker.State.OPEN);
    clock.advance(Duration.ofMillis(1));
    assertThat(checker.ejectedTargets()).as("at the end of a %s ejection", time).isZero();
    // half-open: back in rotation, and its next request decides
    assertThat(checker.breakerState(t)).isEqualTo(CircuitBreaker.State.HALF_OPEN);
    FakeClock.waitFor(() -> t.health().equals(TargetHealth.UNAVAILABLE));
  }

  private static void request(RegisteredTarget t, RequestOutcome outcome) {
    assertThat(t.tryStartRequest()).isTrue();
    t.endRequest(outcome, 1_000_000);
  }

  private List<TargetHealth> healthsOf(String id) {
    List<TargetHealth> out = new ArrayList<>();
    for (HealthChangeEvent e : events) {
      if (e.target().id().equals(id)) {
        out.add(e.current());
      }
    }
    return out;
  }

  @Test
  void ejectedAfterExactlyConsecutiveFailuresAndNotBefore() {
    passiveGroup(OutlierDetection.builder().consecutiveFailures(3).build(), "i-a", "i-b");
    RegisteredTarget a = group.target("i-a");
    request(a, RequestOutcome.TARGET_5XX);
    request(a, RequestOutcome.CONNECT_FAILURE);
    assertThat(checker.breakerState(a)).isEqualTo(CircuitBreaker.State.CLOSED);
    request(a, RequestOutcome.SUCCESS); // breaks the run
    request(a, RequestOutcome.RESET);
    request(a, RequestOutcome.CANCELLED); // says nothing about the target
    request(a, RequestOutcome.TIMEOUT);
    assertThat(checker.breakerState(a)).isEqualTo(CircuitBreaker.State.CLOSED);
    assertThat(a.health()).isEqualTo(TargetHealth.UNAVAILABLE);
    request(a, RequestOutcome.TARGET_5XX); // third in a row
    assertThat(checker.breakerState(a)).isEqualTo(CircuitBreaker.State.OPEN);
    await().atMost(Duration.ofSeconds(10)).until(() -> a.health().reason() == Reason.TARGET_OUTLIER_EJECTED);
    assertThat(a.health()).isEqualTo(TargetHealth.unhealthy(Reason.TARGET_OUTLIER_EJECTED,
        "Ejected by outlier detection after 3 consecutive failed requests (ejection 1, for 30 s)"));
    assertThat(a.health().isRoutable()).isFalse();
    assertThat(group.target("i-b").health()).isEqualTo(TargetHealth.UNAVAILABLE);
    // the ejection is a health event with its own reason, visible in describe-target-health
    assertThat(healthsOf("i-a")).containsExactly(a.health());
    assertThat(checker.describeTargetHealth().getJsonArray("TargetHealthDescriptions").getJsonObject(0)
        .getJsonObject("TargetHealth").getString("Reason")).isEqualTo("Target.OutlierEjected");
  }

  @Test
  void theNthEjectionLastsBaseTimesNCappedAtTheMaximumAndEndsHalfOpen() {
    passiveGroup(OutlierDetection.builder().consecutiveFailures(2).baseEjectionTime(Duration.ofSeconds(30))
        .maxEjectionTime(Duration.ofSeconds(100)).build(), "i-a", "i-b");
    RegisteredTarget a = group.target("i-a");
    assertThat(ejectAfter(a, 2)).isEqualTo(
        "Ejected by outlier detection after 2 consecutive failed requests (ejection 1, for 30 s)");
    assertEjectionLasts(a, Duration.ofSeconds(30));
    // the trial request fails: ejected again at once, for longer
    assertThat(ejectAfter(a, 1)).isEqualTo(
        "Ejected by outlier detection after its trial request failed (ejection 2, for 60 s)");
    assertEjectionLasts(a, Duration.ofSeconds(60));
    assertThat(ejectAfter(a, 1)).endsWith("(ejection 3, for 90 s)");
    assertEjectionLasts(a, Duration.ofSeconds(90));
    // 4 x 30 s is past the maximum
    assertThat(ejectAfter(a, 1)).endsWith("(ejection 4, for 100 s)");
    assertEjectionLasts(a, Duration.ofSeconds(100));
    request(a, RequestOutcome.SUCCESS); // the trial passes: closed
    assertThat(checker.breakerState(a)).isEqualTo(CircuitBreaker.State.CLOSED);
    assertThat(healthsOf("i-a")).extracting(TargetHealth::state).containsExactly(State.UNHEALTHY,
        State.UNAVAILABLE, State.UNHEALTHY, State.UNAVAILABLE, State.UNHEALTHY, State.UNAVAILABLE,
        State.UNHEALTHY, State.UNAVAILABLE);
    assertThat(checker.liveTimers()).isZero();
    assertThat(clock.time.pendingTimers()).isZero();
  }

  @Test
  void theEjectionCountStartsAgainOnceTheTargetStayedInRotationForTheMaximumEjectionTime() {
    passiveGroup(OutlierDetection.builder().consecutiveFailures(2).baseEjectionTime(Duration.ofSeconds(10))
        .maxEjectionTime(Duration.ofSeconds(60)).build(), "i-a", "i-b");
    RegisteredTarget a = group.target("i-a");
    assertThat(ejectAfter(a, 2)).endsWith("(ejection 1, for 10 s)");
    assertEjectionLasts(a, Duration.ofSeconds(10));
    request(a, RequestOutcome.SUCCESS);
    // in rotation for 1 ms less than the maximum ejection time: the count goes on
    clock.advance(Duration.ofSeconds(60).minusMillis(1));
    assertThat(ejectAfter(a, 2)).endsWith("(ejection 2, for 20 s)");
    assertEjectionLasts(a, Duration.ofSeconds(20));
    request(a, RequestOutcome.SUCCESS);
    // in rotation for exactly the maximum ejection time: the count starts again
    clock.advance(Duration.ofSeconds(60));
    assertThat(ejectAfter(a, 2)).endsWith("(ejection 1, for 10 s)");
    assertEjectionLasts(a, Duration.ofSeconds(10));
  }

  @Test
  void ejectionCapHoldsWithFourTargetsAndThreeFailing() {
    // real traffic: four backends, three answer 500; the client sends GETs until the breakers have had their say
    group = TargetGroup.create(vertx, TargetGroupConfig.builder("web").build());
    AtomicInteger maxEjectedAtOnce = new AtomicInteger();
    group.addListener(new TargetGroupListener() {
      @Override
      public void onHealthChanged(HealthChangeEvent event) {
        events.add(event);
        int n = 0;
        for (RegisteredTarget t : event.group().targets()) {
          if (t.health().reason() == Reason.TARGET_OUTLIER_EJECTED) {
            n++;
          }
        }
        maxEjectedAtOnce.accumulateAndGet(n, Math::max);
      }
    });
    for (int i = 0; i < 4; i++) {
      int status = i == 0 ? 200 : 500;
      HttpServer server = vertx.createHttpServer().requestHandler(r -> r.response().setStatusCode(status).end())
          .listen(0, "127.0.0.1").await();
      group.register(Target.of("i-" + i, "127.0.0.1", server.actualPort()));
    }
    checker = (DefaultHealthChecker) HealthChecker.start(vertx, group, HealthCheck.defaults(),
        OutlierDetection.builder().consecutiveFailures(3).build());
    await().atMost(Duration.ofSeconds(10)).until(() -> checker.trackedTargets() == 4);
    LoadBalancedClient client = LoadBalancedClient.create(vertx).addTargetGroup(group);
    try {
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        for (int i = 0; i < 20; i++) {
          client.get("web", "/").send().await();
        }
        return checker.ejectionsRefusedByCap() >= 3;
      });
    } finally {
      client.close().await();
    }
    long ejectedNow = group.targets().stream()
        .filter(t -> t.health().reason() == Reason.TARGET_OUTLIER_EJECTED).count();
    assertThat(ejectedNow).isEqualTo(2);
    assertThat(maxEjectedAtOnce.get()).isEqualTo(2);
    assertThat(checker.ejectedTargets()).isEqualTo(2);
    assertThat(group.target("i-0").health()).isEqualTo(TargetHealth.UNAVAILABLE);
  }

  @Test
  void ejectionWinsWhileItLastsThenTheActiveStateApplies() {
    ScriptedBackend backend = new ScriptedBackend(vertx, n -> 200);
    group = TargetGroup.create(vertx, TargetGroupConfig.builder("web").healthCheckEnabled(true).build());
    group.addListener(new TargetGroupListener() {
      @Override
      public void onHealthChanged(HealthChangeEvent event) {
        events.add(event);
      }
    });
    backend.serving(group, "i-a");
    group.register(Target.of("i-a", "127.0.0.1", backend.port()));
    // a second, healthy target: with one target the 50 % cap would allow no ejection at all
    ScriptedBackend other = new ScriptedBackend(vertx, n -> 200);
    group.register(Target.of("i-b", "127.0.0.1", other.port()));
    checker = clock.start(vertx, group, HealthCheck.builder().interval(Duration.ofSeconds(10))
        .timeout(Duration.ofSeconds(5)).build(),
        OutlierDetection.builder().consecutiveFailures(2).baseEjectionTime(Duration.ofSeconds(60)).build());
    RegisteredTarget a = group.target("i-a");
    clock.runUntil(() -> a.health().equals(TargetHealth.HEALTHY));
    List<TargetHealth> activeSeen = new CopyOnWriteArrayList<>();
    checker.probeListener((t, planned, start, end, failure, active) -> {
      if (t == a) {
        activeSeen.add(active);
      }
    });
    backend.script = n -> 503;
    request(a, RequestOutcome.TARGET_5XX);
    request(a, RequestOutcome.TARGET_5XX);
    await().atMost(Duration.ofSeconds(10)).until(() -> a.health().reason() == Reason.TARGET_OUTLIER_EJECTED);
    Duration ejectedAt = clock.now();
    // the active checks find it unhealthy while it is ejected: the ejection still shows
    clock.runUntil(() -> !activeSeen.isEmpty() && activeSeen.get(activeSeen.size() - 1).state() == State.UNHEALTHY);
    assertThat(a.health().reason()).isEqualTo(Reason.TARGET_OUTLIER_EJECTED);
    assertThat(checker.ejectedTargets()).isEqualTo(1);
    // when the ejection ends, 60 s later, the active state applies
    clock.runUntil(() -> checker.ejectedTargets() == 0);
    assertThat(clock.now().minus(ejectedAt)).isEqualTo(Duration.ofSeconds(60));
    TargetHealth unhealthy = TargetHealth.unhealthy(Reason.TARGET_RESPONSE_CODE_MISMATCH,
        "Health checks failed with these codes: [503]");
    await().atMost(Duration.ofSeconds(10)).until(() -> a.health().equals(unhealthy));
    assertThat(healthsOf("i-a")).containsExactly(TargetHealth.HEALTHY, ejectionOf(a), unhealthy);
  }

  private TargetHealth ejectionOf(RegisteredTarget t) {
    return healthsOf(t.target().id()).stream().filter(h -> h.reason() == Reason.TARGET_OUTLIER_EJECTED).findFirst()
        .orElseThrow();
  }

  @Test
  void closeEndsEjections() {
    passiveGroup(OutlierDetection.builder().consecutiveFailures(1).build(), "i-a", "i-b");
    RegisteredTarget a = group.target("i-a");
    request(a, RequestOutcome.CONNECT_FAILURE);
    await().atMost(Duration.ofSeconds(10)).until(() -> a.health().reason() == Reason.TARGET_OUTLIER_EJECTED);
    checker.close().await();
    assertThat(a.health()).isEqualTo(TargetHealth.UNAVAILABLE);
    assertThat(checker.liveTimers()).isZero();
    assertThat(clock.time.pendingTimers()).isZero();
  }

  @Test
  void successesWithoutFailuresDoNotReachTheBreaker() {
    passiveGroup(OutlierDetection.builder().consecutiveFailures(2).build(), "i-a", "i-b");
    RegisteredTarget a = group.target("i-a");
    for (int i = 0; i < 1000; i++) {
      request(a, RequestOutcome.SUCCESS);
    }
    request(a, RequestOutcome.TARGET_5XX);
    request(a, RequestOutcome.SUCCESS);
    request(a, RequestOutcome.TARGET_5XX);
    assertThat(checker.breakerState(a)).isEqualTo(CircuitBreaker.State.CLOSED);
    request(a, RequestOutcome.TARGET_5XX);
    assertThat(checker.breakerState(a)).isEqualTo(CircuitBreaker.State.OPEN);
  }
}
