package dev.loadstar.healthcheck;

import dev.loadstar.core.config.Checks;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.loadstar.core.Target;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetGroupConfig;
import dev.loadstar.core.TargetHealth;
import dev.loadstar.core.TargetHealth.Reason;
import dev.loadstar.core.TargetHealth.State;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Each reason code from its real cause, against WireMock on 127.0.0.1. Checks run on fake time (time moves from one
 * check to the next), except one timeout that runs on real Vert.x timers.
 */
class ReasonCodeTest {

  private Vertx vertx;
  private WireMockServer wm;
  private TargetGroup group;
  private HealthChecker checker;
  private final FakeClock clock = new FakeClock();
  private final List<Socket> refusing = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    wm = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort().dynamicHttpsPort());
    wm.start();
    group = TargetGroup.create(vertx, TargetGroupConfig.builder("web").healthCheckEnabled(true).build());
  }

  @AfterEach
  void tearDown() {
    if (checker != null) {
      checker.close().await();
    }
    group.close().await();
    vertx.close().await();
    wm.stop();
    for (Socket s : refusing) {
      try {
        s.close();
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
  }

  private HealthCheck.Builder checks() {
    return HealthCheck.builder().interval(Duration.ofSeconds(10)).timeout(Duration.ofSeconds(5)).path("/health");
  }

  private void start(HealthCheck hc) {
    checker = clock.start(vertx, group, hc, OutlierDetection.disabled());
  }

  /**
   * Checks one target until its health is {@code expected} (reasons follow the latest failed check, so waiting for
   * the exact value also rides out a check that a busy machine made time out) and returns it.
   */
  private TargetHealth awaitHealth(int port, HealthCheck hc, TargetHealth expected) {
    group.register(Target.of("i-a", "127.0.0.1", port));
    start(hc);
    clock.runUntil(() -> expected.equals(group.target("i-a").health()));
    return group.target("i-a").health();
  }

  /**
   * A port on 127.0.0.1 that refuses connections until the test ends: a socket is bound to it and never listens (a
   * port bound and released again is free for any process on the machine to take).
   */
  private int closedPort() throws IOException {
    Socket s = new Socket();
    refusing.add(s);
    s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
    return s.getLocalPort();
  }

  @Test
  void wrongStatusIsResponseCodeMismatchWithTheCodeSeen() {
    wm.stubFor(get("/health").willReturn(aResponse().withStatus(502)));
    TargetHealth expected = TargetHealth.unhealthy(Reason.TARGET_RESPONSE_CODE_MISMATCH,
        "Health checks failed with these codes: [502]");
    assertThat(awaitHealth(wm.port(), checks().build(), expected)).isEqualTo(expected);
  }

  @Test
  void matcherRangeAcceptsAnyCodeInIt() {
    wm.stubFor(get("/health").willReturn(aResponse().withStatus(204)));
    group.register(Target.of("i-a", "127.0.0.1", wm.port()));
    start(checks().matcher("200-299").build());
    clock.runUntil(() -> group.target("i-a").health().state() == State.HEALTHY);
  }

  @Test
  void delayPastTheTimeoutIsTimeoutOnRealTimers() {
    wm.stubFor(get("/health").willReturn(aResponse().withStatus(200).withFixedDelay(1000)));
    TargetHealth expected = TargetHealth.unhealthy(Reason.TARGET_TIMEOUT, "Request timed out");
    group.register(Target.of("i-a", "127.0.0.1", wm.port()));
    checker = HealthChecker.start(vertx, group, HealthCheck.builder().embedded(true).interval(Duration.ofMillis(500))
        .timeout(Duration.ofMillis(400)).path("/health").build(), OutlierDetection.disabled());
    await().atMost(Duration.ofSeconds(20)).until(() -> expected.equals(group.target("i-a").health()));
  }

  @Test
  void connectionResetIsFailedHealthChecks() {
    wm.stubFor(get("/health").willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
    group.register(Target.of("i-a", "127.0.0.1", wm.port()));
    start(checks().build());
    clock.runUntil(() -> group.target("i-a").health().reason() == Reason.TARGET_FAILED_HEALTH_CHECKS);
    // a reset and a close mid-response are one kind of failure: the connection was lost before a complete response
    assertThat(group.target("i-a").health().description())
        .isEqualTo("Health checks failed: connection closed before a complete response");
  }

  @Test
  void emptyResponseIsFailedHealthChecks() {
    wm.stubFor(get("/health").willReturn(aResponse().withFault(Fault.EMPTY_RESPONSE)));
    TargetHealth expected = TargetHealth.unhealthy(Reason.TARGET_FAILED_HEALTH_CHECKS,
        "Health checks failed: connection closed before a complete response");
    assertThat(awaitHealth(wm.port(), checks().build(), expected)).isEqualTo(expected);
  }

  @Test
  void closedPortIsFailedHealthChecks() throws IOException {
    TargetHealth expected = TargetHealth.unhealthy(Reason.TARGET_FAILED_HEALTH_CHECKS,
        "Health checks failed: connection refused");
    assertThat(awaitHealth(closedPort(), checks().build(), expected)).isEqualTo(expected);
  }

  @Test
  void tlsFailureIsFailedHealthChecks() {
    wm.stubFor(get("/health").willReturn(aResponse().withStatus(200)));
    // HTTPS checks against the plain HTTP port: the TLS handshake fails
    TargetHealth expected = TargetHealth.unhealthy(Reason.TARGET_FAILED_HEALTH_CHECKS,
        "Health checks failed: TLS handshake failed");
    assertThat(awaitHealth(wm.port(), checks().protocol(HealthCheck.Protocol.HTTPS).build(), expected))
        .isEqualTo(expected);
  }

  @Test
  void httpsChecksPassWithoutValidatingTheTargetCertificate() {
    wm.stubFor(get("/health").willReturn(aResponse().withStatus(200)));
    group.register(Target.of("i-a", "127.0.0.1", wm.httpsPort()));
    start(checks().protocol(HealthCheck.Protocol.HTTPS).build());
    clock.runUntil(() -> group.target("i-a").health().state() == State.HEALTHY);
  }

  @Test
  void httpsChecksSpeakTlsToAServerThatRefusesPlaintext() {
    List<Boolean> overTls = new CopyOnWriteArrayList<>();
    int port = vertx.createHttpServer(new HttpServerOptions().setSsl(true).setKeyCertOptions(TestCertificate.keyCert()))
        .requestHandler(req -> {
          overTls.add(req.isSSL());
          req.response().end("ok");
        }).listen(0, "127.0.0.1").await().actualPort();
    group.register(Target.of("i-a", "127.0.0.1", port));
    // plaintext checks get nowhere with this server
    start(checks().protocol(HealthCheck.Protocol.HTTP).build());
    clock.runUntil(() -> group.target("i-a").health().state() == State.UNHEALTHY);
    assertThat(group.target("i-a").health().reason()).isEqualTo(Reason.TARGET_FAILED_HEALTH_CHECKS);
    assertThat(overTls).isEmpty();
    checker.close().await();
    // HTTPS checks pass, over TLS, with a certificate nobody trusts
    start(checks().protocol(HealthCheck.Protocol.HTTPS).build());
    clock.runUntil(() -> group.target("i-a").health().state() == State.HEALTHY);
    assertThat(overTls).isNotEmpty().containsOnly(true);
  }

  @Test
  void checkCarriesUserAgentHostAndPathWithQuery() {
    wm.stubFor(get("/health?deep=1").willReturn(aResponse().withStatus(200)));
    group.register(Target.of("i-a", "127.0.0.1", wm.port()));
    start(checks().path("/health?deep=1").build());
    clock.runUntil(() -> group.target("i-a").health().state() == State.HEALTHY);
    List<LoggedRequest> seen = wm.findAll(getRequestedFor(urlEqualTo("/health?deep=1")));
    assertThat(seen).isNotEmpty();
    LoggedRequest r = seen.get(0);
    assertThat(r.getMethod().getName()).isEqualTo("GET");
    assertThat(r.getHeader("User-Agent")).isEqualTo("Loadstar-HealthChecker/1.0");
    assertThat(r.getHeader("Host")).isEqualTo("127.0.0.1:" + wm.port());
  }

  @Test
  void fixedPortChecksAnotherPortThanTheTrafficPort() throws IOException {
    wm.stubFor(get("/health").willReturn(aResponse().withStatus(200)));
    group.register(Target.of("i-a", "127.0.0.1", closedPort()));
    start(checks().port(wm.port()).build());
    clock.runUntil(() -> group.target("i-a").health().state() == State.HEALTHY);
    assertThat(wm.findAll(getRequestedFor(urlEqualTo("/health")))).isNotEmpty();
  }

  @Test
  void tcpChecksPassWhenThePortAcceptsAndFailWhenRefused() throws IOException {
    group.register(Target.of("i-open", "127.0.0.1", wm.port()));
    group.register(Target.of("i-closed", "127.0.0.1", closedPort()));
    start(HealthCheck.builder().protocol(HealthCheck.Protocol.TCP).interval(Duration.ofSeconds(10))
        .timeout(Duration.ofSeconds(5)).build());
    clock.runUntil(() -> group.target("i-open").health().state() == State.HEALTHY
        && group.target("i-closed").health().state() == State.UNHEALTHY);
    assertThat(group.target("i-closed").health()).isEqualTo(TargetHealth.unhealthy(
        Reason.TARGET_FAILED_HEALTH_CHECKS, "Health checks failed: connection refused"));
    assertThat(wm.getAllServeEvents()).as("TCP checks send no HTTP request").isEmpty();
  }
}
