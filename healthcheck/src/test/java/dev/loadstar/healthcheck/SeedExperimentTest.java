package dev.loadstar.healthcheck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loadstar.core.HealthChangeEvent;
import dev.loadstar.core.LoadBalancedClient;
import dev.loadstar.core.LoadBalancedResponse;
import dev.loadstar.core.Target;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetGroupConfig;
import dev.loadstar.core.TargetGroupListener;
import dev.loadstar.core.TargetHealth;
import dev.loadstar.core.TargetHealth.Reason;
import dev.loadstar.core.TargetHealth.State;
import dev.loadstar.healthcheck.internal.DefaultHealthChecker;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The seed's lab experiment: two healthy instances behind the balancer, the web server on one stops. ALB marks it
 * unhealthy after two failed checks and users see 502s meanwhile; Loadstar's passive detection ejects it on the
 * first failed requests, the client retries those GETs on the other instance, and nobody sees a failure.
 */
class SeedExperimentTest {

  private Vertx vertx;

  @BeforeAll
  static void warmUp() {
    Warmup.ensure();
  }

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void tearDown() {
    vertx.close().await();
  }

  private HttpServer instance(String id) {
    return vertx.createHttpServer().requestHandler(req -> req.response().end(id)).listen(0, "127.0.0.1").await();
  }

  record Probe(String targetId, long endNanos, TargetHealth failure, TargetHealth active) {
  }

  @Test
  void stoppedWebServerIsEjectedBeforeTwoFailedChecksMarkItUnhealthyAndClientsSeeNoFailedRequest()
      throws InterruptedException {
    HttpServer a = instance("i-a");
    HttpServer b = instance("i-b");
    TargetGroup group = TargetGroup.create(vertx, TargetGroupConfig.builder("MyWebTargetGroup")
        .healthCheckEnabled(true).build());
    List<Probe> probes = new CopyOnWriteArrayList<>();
    AtomicLong ejectedAtNanos = new AtomicLong();
    group.addListener(new TargetGroupListener() {
      @Override
      public void onHealthChanged(HealthChangeEvent e) {
        if (e.target().id().equals("i-a") && e.current().reason() == Reason.TARGET_OUTLIER_EJECTED) {
          ejectedAtNanos.compareAndSet(0, System.nanoTime());
        }
      }
    });
    group.register(Target.of("i-a", "127.0.0.1", a.actualPort()));
    group.register(Target.of("i-b", "127.0.0.1", b.actualPort()));
    DefaultHealthChecker checker = (DefaultHealthChecker) HealthChecker.start(vertx, group, HealthCheck.builder()
        .embedded(true).interval(Duration.ofMillis(300)).timeout(Duration.ofMillis(250)).path("/")
        .unhealthyThresholdCount(2).build(), OutlierDetection.defaults());
    checker.probeListener((t, planned, start, end, failure, active) ->
        probes.add(new Probe(t.target().id(), end, failure, active)));
    await().atMost(Duration.ofSeconds(10)).until(() -> group.target("i-a").health().equals(TargetHealth.HEALTHY)
        && group.target("i-b").health().equals(TargetHealth.HEALTHY));

    LoadBalancedClient client = LoadBalancedClient.create(vertx).addTargetGroup(group);
    AtomicBoolean sending = new AtomicBoolean(true);
    AtomicInteger ok = new AtomicInteger();
    AtomicInteger servedByA = new AtomicInteger();
    List<String> failures = new CopyOnWriteArrayList<>();
    Thread sender = new Thread(() -> {
      while (sending.get()) {
        try {
          LoadBalancedResponse r = client.get("MyWebTargetGroup", "/").send().await();
          if (r.statusCode() == 200) {
            ok.incrementAndGet();
            if (r.target().id().equals("i-a")) {
              servedByA.incrementAndGet();
            }
          } else {
            failures.add("status " + r.statusCode());
          }
        } catch (RuntimeException e) {
          failures.add(e.toString());
        }
      }
    }, "continuous-client");
    sender.start();
    try {
      await().atMost(Duration.ofSeconds(20)).until(() -> servedByA.get() >= 20 && ok.get() >= 50);
      a.close().await(); // the web server on i-a stops
      await().atMost(Duration.ofSeconds(20)).until(() -> probes.stream()
          .anyMatch(p -> p.targetId().equals("i-a") && p.active().state() == State.UNHEALTHY));
      int okAtVerdict = ok.get();
      await().atMost(Duration.ofSeconds(20)).until(() -> ok.get() >= okAtVerdict + 50);

      List<Probe> checksOfA = probes.stream().filter(p -> p.targetId().equals("i-a")).toList();
      int verdict = 0;
      while (checksOfA.get(verdict).active().state() != State.UNHEALTHY) {
        verdict++;
      }
      // the checker marks it unhealthy on exactly the 2nd consecutive failed check: the one before failed too
      // without changing anything, and the one before that passed
      assertThat(verdict).isGreaterThanOrEqualTo(2);
      assertThat(checksOfA.get(verdict).active()).isEqualTo(TargetHealth.unhealthy(
          Reason.TARGET_FAILED_HEALTH_CHECKS, "Health checks failed: connection refused"));
      assertThat(checksOfA.get(verdict - 1).failure()).isNotNull();
      assertThat(checksOfA.get(verdict - 1).active()).isEqualTo(TargetHealth.HEALTHY);
      assertThat(checksOfA.get(verdict - 2).failure()).isNull();
      // passive detection had taken it out of rotation before that verdict
      assertThat(ejectedAtNanos.get()).isNotZero().isLessThan(checksOfA.get(verdict).endNanos());
      assertThat(group.target("i-a").health().reason()).isEqualTo(Reason.TARGET_OUTLIER_EJECTED);
    } finally {
      sending.set(false);
      sender.join(10_000);
    }
    // and the client, sending all along, saw no failed request
    assertThat(failures).isEmpty();
    assertThat(ok.get()).isGreaterThanOrEqualTo(100);
    client.close().await();
    checker.close().await();
    group.close().await();
    b.close().await();
  }
}
