package dev.loadstar.gateway.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loadstar.gateway.GatewayRuntime;
import dev.loadstar.gateway.config.GatewayConfig;
import dev.loadstar.gateway.support.HoldingBackend;
import dev.loadstar.gateway.support.Http;
import dev.loadstar.gateway.support.Sockets;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code /live} and {@code /ready} for Kubernetes, and a graceful {@link GatewayRuntime#shutdown}. */
@Timeout(90)
class ProbesAndShutdownTest {

  private final Vertx vertx = Vertx.vertx();
  private final HoldingBackend backend = new HoldingBackend(vertx);

  @AfterEach
  void tearDown() {
    backend.release();
    vertx.close().await();
  }

  private GatewayRuntime start() {
    String yaml = """
        admin: {port: 0, token: probe-test-token-0123456789}
        listeners:
          - name: web
            host: 127.0.0.1
            port: 0
            defaultActions: [{type: forward, targetGroupName: app}]
        targetGroups:
          - name: app
            healthCheck: {intervalSeconds: 0.5, timeoutSeconds: 0.2, embedded: true, path: /health}
            targets: [{id: b1, host: 127.0.0.1, port: %d}]
        """.formatted(backend.port());
    GatewayRuntime rt = GatewayRuntime.create(vertx, GatewayConfig.parse(yaml, "probes.yaml", false,
        Map.<String, String>of()::get));
    rt.start().await();
    return rt;
  }

  @Test
  void probesAnswerWithoutTokenAndWhateverTheHostHeader() {
    GatewayRuntime rt = start();
    int admin = rt.admin().actualPort();
    try (Http http = new Http(vertx)) {
      // kubelet sends the pod's IP as Host and no token
      Http.Resp live = http.get(admin, "/live", Http.headers("Host", "10.1.2.3:" + admin));
      assertThat(live.status()).isEqualTo(200);
      assertThat(live.json().getString("Status")).isEqualTo("live");
      Http.Resp ready = http.get(admin, "/ready", Http.headers("Host", "10.1.2.3:" + admin));
      assertThat(ready.status()).isEqualTo(200);
      assertThat(ready.json().getString("Status")).isEqualTo("ready");
      // everything else still needs the token and a known Host
      assertThat(http.get(admin, "/api/target-groups").status()).isEqualTo(401);
      assertThat(http.get(admin, "/api/target-groups", Http.headers("Host", "10.1.2.3:" + admin,
          "Authorization", "Bearer probe-test-token-0123456789")).status()).isEqualTo(403);
    } finally {
      rt.close().await();
    }
  }

  @Test
  void shutdownLetsARequestInFlightFinishRefusesNewConnectionsAndIsNotReady() throws Exception {
    GatewayRuntime rt = start();
    int web = rt.listenerPort("web");
    int admin = rt.admin().actualPort();
    Future<String> inFlight = vertx.createHttpClient().request(new RequestOptions().setMethod(HttpMethod.GET)
            .setHost("127.0.0.1").setPort(web).setURI("/slow").setIdleTimeout(60_000))
        .compose(r -> r.send().compose(resp -> resp.body().map(b -> resp.statusCode() + " " + b)));
    backend.arrived().await(30, TimeUnit.SECONDS);

    Future<Void> stopped = rt.shutdown(Duration.ofSeconds(60));
    assertThat(rt.close()).isSameAs(stopped);
    await().atMost(Duration.ofSeconds(30)).until(() -> !Sockets.accepts(web));
    try (Http http = new Http(vertx)) {
      Http.Resp ready = http.get(admin, "/ready");
      assertThat(ready.status()).isEqualTo(503);
      assertThat(ready.json().getString("Status")).isEqualTo("stopping");
      assertThat(http.get(admin, "/live").status()).isEqualTo(200);
    }
    assertThat(inFlight.isComplete()).isFalse();
    assertThat(stopped.isComplete()).isFalse();

    backend.release();
    assertThat(inFlight.await(30, TimeUnit.SECONDS)).isEqualTo("200 slow done");
    stopped.await(30, TimeUnit.SECONDS);
    // Vert.x completes a server's close before its listening socket is released (a few milliseconds later on a busy
    // machine)
    await().atMost(Duration.ofSeconds(10)).until(() -> !Sockets.accepts(admin));
  }
}
