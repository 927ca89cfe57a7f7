package dev.loadstar.healthcheck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loadstar.core.FunctionRequest;
import dev.loadstar.core.FunctionResponse;
import dev.loadstar.core.Target;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetGroupConfig;
import dev.loadstar.core.TargetHealth;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Function targets: checks are off by default (as ALB's Lambda checks); when enabled, the handler is called. A
 * throwing or silent handler runs on real timers (the call's own timeout included); the others on fake time.
 */
class FunctionHealthCheckTest {

  private static final HealthCheck SLOW = HealthCheck.builder().path("/healthz").interval(Duration.ofSeconds(10))
      .timeout(Duration.ofSeconds(5)).healthyThresholdCount(2).unhealthyThresholdCount(2).build();
  private static final HealthCheck FAST = HealthCheck.builder().embedded(true).path("/healthz")
      .interval(Duration.ofMillis(100)).timeout(Duration.ofMillis(80)).healthyThresholdCount(2)
      .unhealthyThresholdCount(2).build();

  private Vertx vertx;
  private TargetGroup group;
  private HealthChecker checker;
  private final FakeClock clock = new FakeClock();

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    group = TargetGroup.create(vertx, TargetGroupConfig.builder("fns").healthCheckEnabled(true).build());
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
  void functionWithoutChecksIsUnavailableAndNeverCalledByTheChecker() {
    AtomicInteger calls = new AtomicInteger();
    group.register(Target.function("fn", req -> {
      calls.incrementAndGet();
      return Future.succeededFuture(FunctionResponse.ok("ok"));
    }));
    Target probe = Target.functionBuilder("probe", req -> Future.succeededFuture(FunctionResponse.ok("ok")))
        .healthCheckEnabled(true).build();
    group.register(probe);
    checker = clock.start(vertx, group, SLOW, OutlierDetection.defaults());
    // several intervals pass: a checked target is probed, the other one never
    clock.runUntil(() -> group.target("probe").health().equals(TargetHealth.HEALTHY));
    clock.advance(SLOW.interval().multipliedBy(5));
    assertThat(calls.get()).isZero();
    assertThat(group.target("fn").health()).isEqualTo(TargetHealth.UNAVAILABLE);
    JsonObject json = checker.describeTargetHealth();
    assertThat(json.getJsonArray("TargetHealthDescriptions").getJsonObject(0).encode())
        .isEqualTo("{\"Target\":{\"Id\":\"fn\"},\"TargetHealth\":{\"State\":\"unavailable\","
            + "\"Reason\":\"Target.HealthCheckDisabled\",\"Description\":\"Health checks are disabled.\"},"
            + "\"AnomalyDetection\":{\"Result\":\"normal\",\"MitigationInEffect\":\"no\"}}");
  }

  @Test
  void enabledChecksCallTheHandlerAndFollowThresholds() {
    List<FunctionRequest> checks = new CopyOnWriteArrayList<>();
    AtomicInteger status = new AtomicInteger(200);
    group.register(Target.functionBuilder("fn", req -> {
      checks.add(req);
      return Future.succeededFuture(FunctionResponse.of(status.get()));
    }).healthCheckEnabled(true).build());
    assertThat(group.target("fn").health()).isEqualTo(TargetHealth.INITIAL);
    checker = clock.start(vertx, group, SLOW, OutlierDetection.defaults());
    clock.runUntil(() -> group.target("fn").health().equals(TargetHealth.HEALTHY));
    assertThat(checks).hasSize(1);
    assertThat(checks.get(0).path()).isEqualTo("/healthz");
    assertThat(checks.get(0).headers().get("user-agent")).isEqualTo(HealthCheck.USER_AGENT);
    status.set(500);
    clock.runUntil(() -> group.target("fn").health().state() == TargetHealth.State.UNHEALTHY);
    assertThat(checks).as("unhealthy after exactly 2 failed checks").hasSize(3);
    assertThat(group.target("fn").health().reason()).isEqualTo(TargetHealth.Reason.TARGET_RESPONSE_CODE_MISMATCH);
    assertThat(group.target("fn").health().description()).isEqualTo("Health checks failed with these codes: [500]");
  }

  @Test
  void aThrowingOrSilentHandlerFailsItsChecks() {
    group.register(Target.functionBuilder("throws", req -> {
      throw new IllegalStateException("no db");
    }).healthCheckEnabled(true).build());
    Promise<FunctionResponse> never = Promise.promise();
    group.register(Target.functionBuilder("silent", req -> never.future()).healthCheckEnabled(true).build());
    checker = HealthChecker.start(vertx, group, FAST);
    await().atMost(Duration.ofSeconds(5)).until(() -> group.target("throws").health().state()
        == TargetHealth.State.UNHEALTHY && group.target("silent").health().state() == TargetHealth.State.UNHEALTHY);
    assertThat(group.target("throws").health().reason()).isEqualTo(TargetHealth.Reason.TARGET_FAILED_HEALTH_CHECKS);
    assertThat(group.target("throws").health().description())
        .isEqualTo("Health checks failed: the function failed: java.lang.IllegalStateException: no db");
    assertThat(group.target("silent").health().reason()).isEqualTo(TargetHealth.Reason.TARGET_TIMEOUT);
  }
}
