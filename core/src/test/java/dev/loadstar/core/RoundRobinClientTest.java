package dev.loadstar.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RoundRobinClientTest {

  private Vertx vertx;
  private final List<HttpServer> servers = new ArrayList<>();

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void tearDown() {
    vertx.close().await();
  }

  private int startBackend(String instanceId) {
    HttpServer server = vertx.createHttpServer()
        .requestHandler(req -> req.response().end(instanceId))
        .listen(0, "127.0.0.1").await();
    servers.add(server);
    return server.actualPort();
  }

  @Test
  void hundredRequestsAlternateExactlyBetweenTwoInstances() {
    TargetGroup group = TargetGroup.create(vertx, TargetGroupConfig.builder("MyWebTargetGroup").build());
    group.register(Target.of("i-a", "127.0.0.1", startBackend("i-a")));
    group.register(Target.of("i-b", "127.0.0.1", startBackend("i-b")));
    LoadBalancedClient client = LoadBalancedClient.create(vertx).addTargetGroup(group);

    List<String> seen = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      LoadBalancedResponse r = client.get("MyWebTargetGroup", "/").send().await();
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.bodyAsString()).isEqualTo(r.target().id());
      seen.add(r.bodyAsString());
    }
    for (int i = 1; i < seen.size(); i++) {
      assertThat(seen.get(i)).as("request %d", i).isNotEqualTo(seen.get(i - 1));
    }
    assertThat(seen).filteredOn("i-a"::equals).hasSize(50);
    client.close().await();
  }
}
