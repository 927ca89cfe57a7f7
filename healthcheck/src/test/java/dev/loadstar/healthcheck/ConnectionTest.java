package dev.loadstar.healthcheck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loadstar.core.Target;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetGroupConfig;
import dev.loadstar.core.TargetHealth;
import dev.loadstar.healthcheck.internal.DefaultHealthChecker;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How checks use connections: one per check like ALB by default, or reused kept-alive connections (real connections,
 * fake time).
 */
class ConnectionTest {

  private Vertx vertx;
  private TargetGroup group;
  private DefaultHealthChecker checker;
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicInteger requests = new AtomicInteger();
  private final List<String> connectionHeaders = new CopyOnWriteArrayList<>();
  private final List<TargetHealth> failures = new CopyOnWriteArrayList<>();
  private final FakeClock clock = new FakeClock();

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    group = TargetGroup.create(vertx, TargetGroupConfig.builder("web").healthCheckEnabled(true).build());
  }

  @AfterEach
  void tearDown() {
    if (checker != null) {
      checker.close().await();
    }
    group.close().await();
    vertx.close().await();
  }

  /** A backend that counts connections and requests; {@code closeEvery} > 0 closes every n-th connection after use. */
  private int backend(int closeEvery) {
    return vertx.createHttpServer().connectionHandler(c -> connections.incrementAndGet()).requestHandler(req -> {
      int n = requests.incrementAndGet();
      connectionHeaders.add(String.valueOf(req.getHeader("Connection")));
      if (closeEvery > 0 && n % closeEvery == 0) {
        req.response().putHeader("Connection", "close");
      }
      req.response().end("ok");
    }).listen(0, "127.0.0.1").await().actualPort();
  }

  /** A backend that drops the connection without answering every third request. */
  private int droppingBackend() {
    return vertx.createHttpServer().connectionHandler(c -> connections.incrementAndGet()).requestHandler(req -> {
      if (requests.incrementAndGet() % 3 == 0) {
        req.connection().close();
      } else {
        req.response().end("ok");
      }
    }).listen(0, "127.0.0.1").await().actualPort();
  }

  private void start(int port, int targets, boolean reuse) {
    for (int i = 0; i < targets; i++) {
      group.register(Target.of("i-" + i, "127.0.0.1", port));
    }
    checker = clock.start(vertx, group, HealthCheck.builder()
        .interval(Duration.ofSeconds(10)).timeout(Duration.ofSeconds(5)).reuseConnections(reuse).build(),
        OutlierDetection.disabled());
    checker.probeListener((t, planned, start, end, failure, active) -> {
      if (failure != null) {
        failures.add(failure);
      }
    });
  }

  @Test
  void byDefaultEveryCheckOpensAConnectionAndAsksToCloseIt() {
    int port = backend(0);
    start(port, 2, false);
    clock.runUntil(() -> requests.get() >= 10);
    checker.close().await();
    assertThat(connections.get()).isEqualTo(requests.get());
    assertThat(connectionHeaders).containsOnly("close");
  }

  @Test
  void reusedConnectionsCarryManyChecks() {
    int port = backend(0);
    start(port, 4, true);
    clock.runUntil(() -> requests.get() >= 40);
    checker.close().await();
    // four targets, one check each at a time: never more connections than checks in flight
    assertThat(connections.get()).isBetween(1, 4);
    assertThat(connectionHeaders).doesNotContain("close");
    assertThat(failures).isEmpty();
  }

  @Test
  void aConnectionTheTargetClosedIsReplacedWithoutFailingACheck() {
    int port = backend(3); // the server closes every third connection after answering
    start(port, 1, true);
    clock.runUntil(() -> requests.get() >= 24);
    checker.close().await();
    assertThat(connections.get()).isGreaterThanOrEqualTo(8);
    assertThat(failures).isEmpty();
  }

  @Test
  void aKeptConnectionFoundDeadOnUseIsRetriedOnceOnANewOne() {
    // requests 3, 6, 9... are dropped; with one target they always arrive on a reused connection, so each is retried
    // at once on a new connection (the next request), which is answered: no check fails
    start(droppingBackend(), 1, true);
    clock.runUntil(() -> requests.get() >= 24);
    checker.close().await();
    assertThat(failures).isEmpty();
    assertThat(connections.get()).isGreaterThanOrEqualTo(8);
  }

  @Test
  void withoutReuseADroppedConnectionFailsTheCheck() {
    start(droppingBackend(), 1, false);
    clock.runUntil(() -> failures.size() >= 3);
    checker.close().await();
    assertThat(failures).contains(TargetHealth.unhealthy(TargetHealth.Reason.TARGET_FAILED_HEALTH_CHECKS,
        "Health checks failed: connection closed before a complete response"));
  }
}
