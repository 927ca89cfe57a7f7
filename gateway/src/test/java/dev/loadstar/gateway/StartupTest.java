package dev.loadstar.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetHealth;
import dev.loadstar.gateway.config.GatewayConfig;
import dev.loadstar.gateway.support.Http;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The gateway binds its listeners once each group's first health checks have decided. */
@Timeout(60)
class StartupTest {

  private final Vertx vertx = Vertx.vertx();
  private GatewayRuntime runtime;
  private Http http;

  @AfterEach
  void close() {
    if (http != null) {
      http.close();
    }
    if (runtime != null) {
      runtime.close().await();
    }
    vertx.close().await();
  }

  /** A backend answering {@code /health} after {@code healthDelayMs} and everything else with its id. */
  private int backend(String id, long healthDelayMs) {
    HttpServer s = vertx.createHttpServer().requestHandler(req -> {
      if (req.path().equals("/health") && healthDelayMs > 0) {
        vertx.setTimer(healthDelayMs, t -> req.response().end("ok"));
      } else {
        req.response().end(id);
      }
    }).listen(0, "127.0.0.1").await();
    return s.actualPort();
  }

  private GatewayConfig config(int b1, int b2) {
    return GatewayConfig.parse("""
        admin: {enabled: false}
        listeners:
          - {name: web, host: 127.0.0.1, port: 0, defaultActions: [{type: forward, targetGroupName: web}]}
        targetGroups:
          - name: web
            healthCheck: {path: /health, intervalSeconds: 2, timeoutSeconds: 1, embedded: true}
            targets:
              - {id: b1, host: 127.0.0.1, port: "${env:B1}"}
              - {id: b2, host: 127.0.0.1, port: "${env:B2}"}
        """, "startup.yaml", false, Map.of("B1", Integer.toString(b1), "B2", Integer.toString(b2))::get);
  }

  @Test
  void theFirstRequestsAfterStartAlternateBetweenTwoHealthyTargets() {
    // b2's first check answers 400 ms after b1's: without waiting, the first requests would all go to b1
    runtime = GatewayRuntime.create(vertx, config(backend("b1", 0), backend("b2", 400)));
    runtime.start().await();
    TargetGroup web = runtime.targetGroups().get("web");
    assertThat(web.target("b1").health().state()).isEqualTo(TargetHealth.State.HEALTHY);
    assertThat(web.target("b2").health().state()).isEqualTo(TargetHealth.State.HEALTHY);
    http = new Http(vertx);
    int port = runtime.listenerPort("web");
    List<String> answers = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      answers.add(http.get(port, "/").body());
    }
    for (int i = 1; i < answers.size(); i++) {
      assertThat(answers.get(i)).as("answers %s", answers).isNotEqualTo(answers.get(i - 1));
    }
  }

  @Test
  void aTargetWhoseFirstCheckFailsDoesNotHoldTheListenersBack() {
    int dead;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      dead = s.getLocalPort();
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
    runtime = GatewayRuntime.builder(vertx, config(backend("b1", 0), dead))
        .firstHealthCheckWait(Duration.ofSeconds(30)).build();
    long start = System.nanoTime();
    runtime.start().await();
    // one failed check decides the first round: no waiting for the unhealthy threshold or the 30 s bound
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
    TargetGroup web = runtime.targetGroups().get("web");
    assertThat(web.target("b1").health().state()).isEqualTo(TargetHealth.State.HEALTHY);
    assertThat(web.target("b2").health().state()).isEqualTo(TargetHealth.State.INITIAL);
    http = new Http(vertx);
    assertThat(http.get(runtime.listenerPort("web"), "/").body()).isEqualTo("b1");
  }
}
