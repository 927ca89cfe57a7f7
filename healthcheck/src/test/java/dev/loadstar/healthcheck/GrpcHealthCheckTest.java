package dev.loadstar.healthcheck;

import dev.loadstar.core.config.Checks;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.loadstar.core.Target;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetGroupConfig;
import dev.loadstar.core.TargetHealth;
import dev.loadstar.core.TargetHealth.Reason;
import dev.loadstar.core.TargetHealth.State;
import dev.loadstar.healthcheck.internal.DefaultHealthChecker;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code GRPC} health checks against a real HTTP/2 server on 127.0.0.1 speaking gRPC's wire format (length-prefixed
 * messages, {@code grpc-status} in trailers or in a trailers-only answer): cleartext, or TLS with a certificate made
 * at test time for a group whose targets speak HTTPS. Checks run on fake time
 * (time moves from one check to the next), except one on real Vert.x timers.
 */
class GrpcHealthCheckTest {

  /** What the scripted server does with the n-th check (1-based). */
  enum Answer { SERVING, NOT_SERVING, UNAVAILABLE, UNIMPLEMENTED, SILENT }

  private Vertx vertx;
  private TargetGroup group;
  private HealthChecker checker;
  private HttpServer server;
  private final List<TargetHealth> healthAtArrival = new CopyOnWriteArrayList<>();
  private final List<HttpServerRequest> seen = new CopyOnWriteArrayList<>();
  private final List<Buffer> bodies = new CopyOnWriteArrayList<>();
  /** Whether each request came over TLS, as the server saw it on arrival. */
  private final List<Boolean> overTls = new CopyOnWriteArrayList<>();
  /** Checks whose answer the server has decided, and whether the latest one is never to be answered. */
  private final AtomicInteger decided = new AtomicInteger();
  private volatile boolean lastSilent;
  private final FakeClock clock = new FakeClock();

  /**
   * One gRPC check through the whole path with a 5 s timeout first, so that loading the HTTP/2 classes on a cold,
   * busy machine does not turn a test's first short-timeout check into a timeout.
   */
  @BeforeAll
  static void warmUp() {
    Warmup.ensure();
    Vertx v = Vertx.vertx();
    try {
      HttpServer s = v.createHttpServer().requestHandler(r -> r.body().onSuccess(b -> r.response()
          .putHeader("content-type", "application/grpc").putHeader("grpc-status", "12").end()))
          .listen(0, "127.0.0.1").await();
      TargetGroup g = TargetGroup.create(v, TargetGroupConfig.builder("warmup").healthCheckEnabled(true).build());
      g.register(Target.of("w", "127.0.0.1", s.actualPort()));
      HealthChecker c = HealthChecker.start(v, g, HealthCheck.builder().protocol(HealthCheck.Protocol.GRPC)
          .interval(Duration.ofSeconds(6)).timeout(Duration.ofSeconds(5)).build());
      await().atMost(Duration.ofSeconds(30)).until(() -> g.target("w").health().state() == State.HEALTHY);
      c.close().await();
      g.close().await();
    } finally {
      v.close().await();
    }
  }

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    group = TargetGroup.create(vertx, TargetGroupConfig.builder("grpc").healthCheckEnabled(true).build());
  }

  @AfterEach
  void tearDown() {
    if (checker != null) {
      checker.close().await();
    }
    group.close().await();
    if (server != null) {
      server.close().await();
    }
    vertx.close().await();
  }

  /** A gRPC server: the standard health service answers per the script; any other method is UNIMPLEMENTED. */
  private int grpcServer(IntFunction<Answer> script) {
    return grpcServer(script, new HttpServerOptions());
  }

  /** As {@link #grpcServer(IntFunction)} with these server options (TLS, for one). */
  private int grpcServer(IntFunction<Answer> script, HttpServerOptions options) {
    server = vertx.createHttpServer(options).requestHandler(req -> {
      var t = group.target("i-a");
      healthAtArrival.add(t == null ? TargetHealth.UNUSED : t.health());
      seen.add(req);
      overTls.add(req.isSSL());
      int n = seen.size();
      req.body().onSuccess(body -> {
        bodies.add(body);
        Answer a = req.path().equals(HealthCheck.GRPC_HEALTH_SERVICE_PATH) ? script.apply(n) : Answer.UNIMPLEMENTED;
        lastSilent = a == Answer.SILENT;
        decided.incrementAndGet();
        var resp = req.response().putHeader("content-type", "application/grpc");
        switch (a) {
          case SERVING -> resp.putTrailer("grpc-status", "0").end(message(1));
          case NOT_SERVING -> resp.putTrailer("grpc-status", "0").end(message(2));
          // trailers-only answers: the status in the headers, no body
          case UNAVAILABLE -> resp.putHeader("grpc-status", "14").putHeader("grpc-message", "down").end();
          case UNIMPLEMENTED -> resp.putHeader("grpc-status", "12").end();
          case SILENT -> { }
          default -> throw new IllegalStateException();
        }
      });
    }).listen(0, "127.0.0.1").await();
    return server.actualPort();
  }

  /** A HealthCheckResponse message with the given serving status (field 1, varint), length-prefixed. */
  private static Buffer message(int status) {
    return Buffer.buffer(new byte[] {0, 0, 0, 0, 2, 0x08, (byte) status});
  }

  private static HealthCheck.Builder standardHealthService() {
    return HealthCheck.builder().protocol(HealthCheck.Protocol.GRPC).path(HealthCheck.GRPC_HEALTH_SERVICE_PATH)
        .grpcCode("0").interval(Duration.ofSeconds(10)).timeout(Duration.ofSeconds(5))
        .healthyThresholdCount(5).unhealthyThresholdCount(2);
  }

  /** Checks i-a on fake time and returns its states at the arrival of checks 1..n+1. */
  private List<State> run(IntFunction<Answer> script, HealthCheck hc, int checks) {
    return run(grpcServer(script), hc, checks);
  }

  /** Checks i-a on this port on fake time and returns its states at the arrival of checks 1..n+1. */
  private List<State> run(int port, HealthCheck hc, int checks) {
    group.register(Target.of("i-a", "127.0.0.1", port));
    DefaultHealthChecker c = clock.start(vertx, group, hc, OutlierDetection.disabled());
    checker = c;
    AtomicInteger ended = new AtomicInteger();
    c.probeListener((t, planned, start, end, failure, active) -> ended.incrementAndGet());
    // time may pass while a check waits for an answer the server decided never to give: its deadline then ends it
    clock.idleWhen(() -> c.unsettledChecks() == 0
        || c.inFlightChecks() == 1 && lastSilent && ended.get() + 1 == decided.get());
    clock.runUntil(() -> healthAtArrival.size() >= checks + 1);
    checker.close().await();
    return healthAtArrival.subList(0, checks + 1).stream().map(TargetHealth::state).collect(Collectors.toList());
  }

  @Test
  void servingStandardHealthServiceIsHealthyAfterOnePassingCheck() {
    List<State> states = run(n -> Answer.SERVING, standardHealthService().build(), 1);
    assertThat(states).containsExactly(State.INITIAL, State.HEALTHY);
    HttpServerRequest first = seen.get(0);
    assertThat(first.version()).isEqualTo(HttpVersion.HTTP_2);
    assertThat(overTls).containsOnly(false);
    assertThat(first.method().name()).isEqualTo("POST");
    assertThat(first.path()).isEqualTo("/grpc.health.v1.Health/Check");
    assertThat(first.getHeader("content-type")).isEqualTo("application/grpc");
    assertThat(first.getHeader("te")).isEqualTo("trailers");
    // one empty HealthCheckRequest: the server's overall health
    assertThat(bodies.get(0).getBytes()).containsExactly(0, 0, 0, 0, 0);
  }

  @Test
  void nonMatchingGrpcStatusIsUnhealthyAfterExactlyTheUnhealthyThreshold() {
    List<State> states = run(n -> n == 1 ? Answer.SERVING : Answer.UNAVAILABLE, standardHealthService().build(), 3);
    assertThat(states).containsExactly(State.INITIAL, State.HEALTHY, State.HEALTHY, State.UNHEALTHY);
    assertThat(group.target("i-a").health()).isEqualTo(TargetHealth.unhealthy(Reason.TARGET_RESPONSE_CODE_MISMATCH,
        "Health checks failed with these gRPC codes: [14]"));
  }

  @Test
  void notServingIsResponseCodeMismatchAfterExactlyTheUnhealthyThreshold() {
    List<State> states = run(n -> n == 1 ? Answer.SERVING : Answer.NOT_SERVING, standardHealthService().build(), 3);
    assertThat(states).containsExactly(State.INITIAL, State.HEALTHY, State.HEALTHY, State.UNHEALTHY);
    assertThat(group.target("i-a").health()).isEqualTo(TargetHealth.unhealthy(Reason.TARGET_RESPONSE_CODE_MISMATCH,
        "Health checks failed: serving status NOT_SERVING"));
  }

  @Test
  void noAnswerIsTimeoutAfterExactlyTheUnhealthyThreshold() {
    List<State> states = run(n -> n == 1 ? Answer.SERVING : Answer.SILENT, standardHealthService().build(), 3);
    assertThat(states).containsExactly(State.INITIAL, State.HEALTHY, State.HEALTHY, State.UNHEALTHY);
    assertThat(group.target("i-a").health()).isEqualTo(TargetHealth.unhealthy(Reason.TARGET_TIMEOUT,
        "Request timed out"));
  }

  @Test
  void albDefaultsProbeAwsAlbHealthcheckAndAcceptUnimplementedOnRealTimers() {
    HealthCheck hc = HealthCheck.builder().protocol(HealthCheck.Protocol.GRPC).embedded(true)
        .interval(Duration.ofMillis(500)).timeout(Duration.ofMillis(450)).build();
    assertThat(hc.path()).isEqualTo("/AWS.ALB/healthcheck");
    assertThat(hc.grpcCode()).isEqualTo("12");
    group.register(Target.of("i-a", "127.0.0.1", grpcServer(n -> Answer.SERVING)));
    checker = HealthChecker.start(vertx, group, hc, OutlierDetection.disabled());
    await().atMost(Duration.ofSeconds(20)).until(() -> healthAtArrival.size() >= 2);
    checker.close().await();
    assertThat(healthAtArrival.subList(0, 2)).extracting(TargetHealth::state)
        .containsExactly(State.INITIAL, State.HEALTHY);
    assertThat(seen.get(0).path()).isEqualTo("/AWS.ALB/healthcheck");
  }

  @Test
  void grpcChecksOfAnHttpsGroupGoOverTlsWithHttp2NegotiatedByAlpnAndAnyCertificate() {
    group.close().await();
    group = TargetGroup.create(vertx, TargetGroupConfig.builder("grpcs").protocol(TargetGroupConfig.Protocol.HTTPS)
        .healthCheckEnabled(true).build());
    // a certificate made at test time, trusted by nobody: checks do not validate it, as ALB's do not
    int port = grpcServer(n -> n == 1 ? Answer.SERVING : Answer.NOT_SERVING, new HttpServerOptions().setSsl(true)
        .setUseAlpn(true).setAlpnVersions(List.of(HttpVersion.HTTP_2)).setKeyCertOptions(TestCertificate.keyCert()));
    List<State> states = run(port, standardHealthService().build(), 3);
    assertThat(states).containsExactly(State.INITIAL, State.HEALTHY, State.HEALTHY, State.UNHEALTHY);
    assertThat(group.target("i-a").health()).isEqualTo(TargetHealth.unhealthy(Reason.TARGET_RESPONSE_CODE_MISMATCH,
        "Health checks failed: serving status NOT_SERVING"));
    assertThat(overTls).containsOnly(true);
    HttpServerRequest first = seen.get(0);
    assertThat(first.version()).isEqualTo(HttpVersion.HTTP_2);
    assertThat(first.method().name()).isEqualTo("POST");
    assertThat(first.path()).isEqualTo(HealthCheck.GRPC_HEALTH_SERVICE_PATH);
    assertThat(bodies.get(0).getBytes()).containsExactly(0, 0, 0, 0, 0);
  }

  @Test
  void grpcChecksOfAnHttpGroupStayCleartextSoATlsOnlyServerFailsThem() {
    int port = grpcServer(n -> Answer.SERVING, new HttpServerOptions().setSsl(true).setUseAlpn(true)
        .setKeyCertOptions(TestCertificate.keyCert()));
    group.register(Target.of("i-a", "127.0.0.1", port));
    checker = clock.start(vertx, group, standardHealthService().build(), OutlierDetection.disabled());
    clock.runUntil(() -> group.target("i-a").health().state() == State.UNHEALTHY);
    assertThat(group.target("i-a").health().reason()).isEqualTo(Reason.TARGET_FAILED_HEALTH_CHECKS);
    assertThat(seen).as("no gRPC request got through").isEmpty();
  }

  @Test
  void grpcSettingsAreValidatedAndRoundTripThroughJson() {
    assertThatThrownBy(() -> HealthCheck.builder().protocol(HealthCheck.Protocol.GRPC).path("/health").build())
        .hasMessage("HealthCheckPath: \"/health\" (expected: /package.service/method with HealthCheckProtocol GRPC)");
    assertThatThrownBy(() -> HealthCheck.builder().protocol(HealthCheck.Protocol.GRPC).grpcCode("100").build())
        .hasMessage("Matcher.GrpcCode: \"100\" (expected: codes 0-99 as \"200\", \"200,202\" or \"200-299\")");
    assertThatThrownBy(() -> HealthCheck.builder().protocol(HealthCheck.Protocol.GRPC).matcher("200-299").build())
        .hasMessage("Matcher.HttpCode: \"200-299\" (expected: no HttpCode with HealthCheckProtocol GRPC (set "
            + "Matcher.GrpcCode))");
    assertThatThrownBy(() -> HealthCheck.builder().grpcCode("0").build())
        .hasMessage("Matcher.GrpcCode: \"0\" (expected: no GrpcCode with HealthCheckProtocol HTTP (GRPC only))");
    HealthCheck hc = standardHealthService().grpcCode("0-2").build();
    JsonObject json = hc.toJson();
    assertThat(json.getString("HealthCheckProtocol")).isEqualTo("GRPC");
    assertThat(json.getJsonObject("Matcher")).isEqualTo(new JsonObject().put("GrpcCode", "0-2"));
    assertThat(HealthCheck.fromJson(json)).isEqualTo(hc);
    assertThat(hc.matchesGrpc(2)).isTrue();
    assertThat(hc.matchesGrpc(3)).isFalse();
  }
}
