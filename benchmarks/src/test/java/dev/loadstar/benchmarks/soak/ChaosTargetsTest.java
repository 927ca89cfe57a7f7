package dev.loadstar.benchmarks.soak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loadstar.benchmarks.soak.ChaosTargets.Behaviour;
import dev.loadstar.benchmarks.soak.ChaosTargets.ChildTarget;
import dev.loadstar.benchmarks.soak.ChaosTargets.ResetCounts;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ChaosTargetsTest {

  private Vertx vertx;
  private HttpClient client;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false).setConnectTimeout(5_000));
  }

  @AfterEach
  void stop() {
    client.close().await();
    vertx.close().await();
  }

  private String call(int port, HttpMethod method, String uri, String id, Buffer body) throws Exception {
    RequestOptions o = new RequestOptions().setHost("127.0.0.1").setPort(port).setMethod(method).setURI(uri)
        .setIdleTimeout(10_000);
    if (id != null) {
      o.putHeader(OpenLoopLoad.ID_HEADER, id);
    }
    return client.request(o)
        .compose(req -> body == null ? req.send() : req.send(body))
        .compose(resp -> resp.body().map(b -> resp.statusCode() + " " + b))
        .await(20, TimeUnit.SECONDS);
  }

  @Test
  void healthyTargetReadsTheBodyThenAnswersWithItsId() throws Exception {
    int port = ChaosTargets.serve(vertx, 0, "healthy", Behaviour.HEALTHY, 0, 0, null).await().actualPort();

    assertThat(call(port, HttpMethod.POST, "/orders", "1", Buffer.buffer("p".repeat(1024))))
        .isEqualTo("200 healthy POST read 1024\n");
    assertThat(call(port, HttpMethod.GET, "/health", null, null)).isEqualTo("200 ok");
  }

  @Test
  void resettingTargetCutsRequestsRecordsThePostsAndPassesHealthChecks() throws Exception {
    ResetCounts resets = new ResetCounts();
    int port = ChaosTargets.serve(vertx, 0, "resets", Behaviour.RESETS, 0, 100, resets).await().actualPort();

    assertThatThrownBy(() -> call(port, HttpMethod.POST, "/orders", "42", Buffer.buffer("p".repeat(1024))));
    assertThatThrownBy(() -> call(port, HttpMethod.GET, "/items/1", "43", null));
    assertThat(call(port, HttpMethod.GET, "/health", null, null)).isEqualTo("200 ok");

    assertThat(resets.post.get()).isEqualTo(1);
    assertThat(resets.get.get()).isEqualTo(1);
    assertThat(resets.claim("43")).as("only POST ids are kept").isFalse();
    assertThat(resets.claim("42")).isTrue();
    assertThat(resets.claim("42")).as("an id is claimed once").isFalse();
  }

  @Test
  void childTargetDiesOnKillAndAnswersAgainOnTheSamePortAfterStart() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress("127.0.0.1", 0));
      port = s.getLocalPort();
    }
    ChildTarget child = new ChildTarget("killed", port);
    try {
      child.start();
      assertThat(call(port, HttpMethod.GET, "/items/1", "1", null)).isEqualTo("200 killed GET read 0\n");

      child.kill();
      assertThatThrownBy(() -> call(port, HttpMethod.GET, "/items/2", "2", null));

      child.start();
      assertThat(call(port, HttpMethod.GET, "/items/3", "3", null)).isEqualTo("200 killed GET read 0\n");
    } finally {
      child.kill();
    }
  }
}
