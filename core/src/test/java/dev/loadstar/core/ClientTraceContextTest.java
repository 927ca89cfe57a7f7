package dev.loadstar.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The client sends W3C trace context: the caller's traceparent unchanged, or one it starts, the same on a retry. */
class ClientTraceContextTest {

  private final Vertx vertx = Vertx.vertx();
  private final List<String> seen = new CopyOnWriteArrayList<>();

  @AfterEach
  void tearDown() {
    vertx.close().await();
  }

  private int backend() {
    HttpServer s = vertx.createHttpServer().requestHandler(req -> {
      seen.add(req.getHeader("traceparent") + " | " + req.getHeader("tracestate"));
      req.response().end("ok");
    }).listen(0, "127.0.0.1").await();
    return s.actualPort();
  }

  @Test
  void aRequestWithoutTraceparentStartsATraceAndKeepsItOnTheRetry() {
    // the first target reads the request and drops the connection: a GET is retried on the other one
    HttpServer resetting = vertx.createHttpServer().requestHandler(req -> {
      seen.add("reset " + req.getHeader("traceparent"));
      req.connection().close();
    }).listen(0, "127.0.0.1").await();
    TargetGroup group = TargetGroup.create(vertx, TargetGroupConfig.builder("g").healthCheckEnabled(false).build());
    group.register(Target.of("resetting", "127.0.0.1", resetting.actualPort()));
    group.register(Target.of("live", "127.0.0.1", backend()));
    LoadBalancedClient client = LoadBalancedClient.create(vertx).addTargetGroup(group);
    for (int i = 0; i < 2; i++) { // round robin: one of the two tries the resetting target first and is retried
      assertThat(client.get("g", "/").send().await().target().id()).isEqualTo("live");
    }
    assertThat(seen).hasSize(3);
    String reset = seen.stream().filter(v -> v.startsWith("reset ")).findFirst().orElseThrow().substring(6);
    assertThat(reset).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01");
    assertThat(seen).contains(reset + " | null"); // the retry sent the same traceparent
    assertThat(seen).filteredOn(v -> !v.startsWith("reset "))
        .allMatch(v -> v.matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01 \\| null"))
        .doesNotHaveDuplicates(); // each request starts its own trace
    client.close().await();
  }

  @Test
  void theCallersTraceparentAndTracestateAreSentUnchanged() {
    TargetGroup group = TargetGroup.create(vertx, TargetGroupConfig.builder("g").build());
    group.register(Target.of("live", "127.0.0.1", backend()));
    LoadBalancedClient client = LoadBalancedClient.create(vertx).addTargetGroup(group);
    String parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00";
    client.get("g", "/").putHeader("traceparent", parent).putHeader("tracestate", "congo=t61rcWkgMzE").send().await();
    client.get("g", "/").putHeader("traceparent", "not-a-traceparent").putHeader("tracestate", "x=1").send().await();
    assertThat(seen.get(0)).isEqualTo(parent + " | congo=t61rcWkgMzE");
    assertThat(seen.get(1)).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01 \\| null");
    client.close().await();
  }
}
