package dev.loadstar.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loadstar.gateway.admin.AdminModel;
import dev.loadstar.gateway.config.GatewayConfig;
import dev.loadstar.gateway.support.Configs;
import dev.loadstar.gateway.support.Sockets;
import dev.loadstar.scaling.Instance;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Start and close of a gateway: idempotent, ordered, every port released, a failed start cleaned up. */
@Timeout(90)
class GatewayRuntimeTest {

  private static final String CONFIG = Configs.TWO_LISTENERS_AND_A_SCALING_GROUP;

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void tearDown() {
    vertx.close().await();
  }

  private static boolean accepts(int port) {
    return Sockets.accepts(port);
  }

  @Test
  void startAndCloseAreIdempotentAndCloseReleasesEveryPort() {
    GatewayRuntime runtime = GatewayRuntime.create(vertx, GatewayConfig.parse(CONFIG, "rt.yaml", false,
        Map.<String, String>of()::get));
    Future<Void> started = runtime.start();
    assertThat(runtime.start()).isSameAs(started);
    started.await();
    // the scaling group launches in the background once started
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).until(() -> runtime.scalingGroups()
        .get("fleet-asg").instances().stream().filter(i -> i.state() == dev.loadstar.scaling.InstanceState.IN_SERVICE)
        .count() == 2);
    List<Integer> ports = new ArrayList<>(List.of(runtime.listenerPort("web"), runtime.listenerPort("raw"),
        runtime.admin().actualPort()));
    for (Instance i : runtime.scalingGroups().get("fleet-asg").instances()) {
      ports.add(i.port());
    }
    assertThat(ports).hasSize(5).allMatch(GatewayRuntimeTest::accepts);

    Future<Void> closed = runtime.close();
    assertThat(runtime.close()).isSameAs(closed);
    closed.await();
    // Vert.x completes a server's close before its listening socket is released (a few milliseconds later on a busy
    // machine)
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(ports).noneMatch(GatewayRuntimeTest::accepts));
  }

  @Test
  void aStartThatCannotBindFailsAndClosesWhatItStarted() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"))) {
      // the admin API starts last: by then both listeners are bound
      GatewayRuntime runtime = GatewayRuntime.create(vertx, GatewayConfig.parse(CONFIG, "rt.yaml", false,
          Map.of("ADMIN_PORT", Integer.toString(taken.getLocalPort()))::get));
      assertThatThrownBy(() -> runtime.start().await())
          .hasMessageStartingWith("admin API: cannot bind 127.0.0.1:" + taken.getLocalPort() + ": ");
      int web = runtime.listenerPort("web");
      int raw = runtime.listenerPort("raw");
      assertThat(web).isPositive();
      assertThat(raw).isPositive();
      // the listening sockets are released a few milliseconds after the closes complete (Vert.x)
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).untilAsserted(() -> {
        assertThat(accepts(web)).isFalse();
        assertThat(accepts(raw)).isFalse();
        assertThat(runtime.scalingGroups().get("fleet-asg").instances()).noneMatch(i -> accepts(i.port()));
      });
      assertThat(runtime.close()).isSameAs(runtime.close());
    }
  }
}
