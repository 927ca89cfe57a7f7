package dev.loadstar.routing.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.loadstar.routing.Action;
import dev.loadstar.routing.HttpListener;
import dev.loadstar.routing.ListenerConfig;
import dev.loadstar.routing.RuleSet;
import dev.loadstar.routing.Verdict;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A listener served from several event loops: one port, connections spread, shared rules and counters, close. */
class ListenerEventLoopsTest {

  private final GatewayFixture f = new GatewayFixture();

  @AfterEach
  void tearDown() {
    f.close();
  }

  /** Sends one request on a new connection (a client of its own, so every call is a new connection). */
  private GatewayFixture.Resp getOnNewConnection(int port, String uri) {
    HttpClient c = f.vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false), new PoolOptions());
    try {
      RequestOptions o = new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(port).setURI(uri);
      return GatewayFixture.exchange(c, o, r -> r.send()).await();
    } finally {
      c.close().await();
    }
  }

  @Test
  void eventLoopsDefaultsToTheAvailableProcessorsAndIsValidated() {
    assertThat(ListenerConfig.builder().build().eventLoops()).isEqualTo(Runtime.getRuntime().availableProcessors());
    assertThat(ListenerConfig.builder().eventLoops(1).build().eventLoops()).isEqualTo(1);
    assertThat(ListenerConfig.builder().eventLoops(1024).build().eventLoops()).isEqualTo(1024);
    assertThatThrownBy(() -> ListenerConfig.builder().eventLoops(0).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessage("eventLoops: 0 (expected: 1-1024)");
    assertThatThrownBy(() -> ListenerConfig.builder().eventLoops(1025).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessage("eventLoops: 1025 (expected: 1-1024)");
  }

  @Test
  void connectionsFromSeveralClientsAreServedByTwoEventLoopsOnOnePort() {
    f.group("web", f.backend("i-a"));
    Set<String> threads = ConcurrentHashMap.newKeySet();
    HttpListener.Builder b = HttpListener.builder(f.vertx).rules(RuleSet.of(Action.forward("web")))
        .hook(ctx -> {
          threads.add(Thread.currentThread().getName());
          return Future.succeededFuture(Verdict.pass());
        });
    HttpListener listener = f.start(b, ListenerConfig.builder().eventLoops(2));
    int port = listener.actualPort();
    assertThat(port).isPositive();

    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      GatewayFixture.Resp r = getOnNewConnection(port, "/c" + i);
      statuses.add(r.status());
      assertThat(r.body()).isEqualTo("i-a");
    }

    assertThat(statuses).containsOnly(200).hasSize(6);
    // accepted connections go to the two server instances in turn, each on its own event loop
    assertThat(threads).hasSize(2).allSatisfy(t -> assertThat(t).startsWith("vert.x-eventloop-thread-"));
    assertThat(listener.actualPort()).isEqualTo(port);
    // the counters are shared by both event loops
    assertThat(listener.stats().requests()).isEqualTo(6);
    assertThat(listener.stats().forwarded()).isEqualTo(6);
    assertThat(listener.stats().newConnections()).isEqualTo(6);
  }

  @Test
  void replacedRulesApplyOnEveryEventLoop() {
    Set<String> threads = ConcurrentHashMap.newKeySet();
    HttpListener.Builder b = HttpListener.builder(f.vertx)
        .rules(RuleSet.of(Action.fixedResponse(200, "text/plain", "old")));
    HttpListener listener = f.start(b, ListenerConfig.builder().eventLoops(2));
    int port = listener.actualPort();
    assertThat(getOnNewConnection(port, "/").body()).isEqualTo("old");

    listener.rules(RuleSet.of(Action.fixedResponse(200, "text/plain", "new")));

    List<String> bodies = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      bodies.add(getOnNewConnection(port, "/").body());
    }
    assertThat(bodies).containsExactly("new", "new", "new", "new");
    assertThat(listener.stats().requests()).isEqualTo(5);
  }

  @Test
  void listenersOnPortZeroEachGetTheirOwnPort() {
    HttpListener one = HttpListener.builder(f.vertx).rules(RuleSet.of(Action.fixedResponse(200, "text/plain", "one")))
        .targetGroups(f.groups::get)
        .config(ListenerConfig.builder().host("127.0.0.1").port(0).eventLoops(2).build()).build();
    HttpListener two = HttpListener.builder(f.vertx).rules(RuleSet.of(Action.fixedResponse(200, "text/plain", "two")))
        .targetGroups(f.groups::get)
        .config(ListenerConfig.builder().host("127.0.0.1").port(0).eventLoops(2).build()).build();
    try {
      one.start().await();
      two.start().await();
      assertThat(one.actualPort()).isPositive().isNotEqualTo(two.actualPort());
      for (int i = 0; i < 4; i++) {
        assertThat(getOnNewConnection(one.actualPort(), "/").body()).isEqualTo("one");
        assertThat(getOnNewConnection(two.actualPort(), "/").body()).isEqualTo("two");
      }
    } finally {
      one.close().await();
      two.close().await();
    }
  }

  @Test
  void closeReleasesThePortAndEveryInstance() {
    HttpListener listener = f.start(HttpListener.builder(f.vertx)
        .rules(RuleSet.of(Action.fixedResponse(200, "text/plain", "up"))), ListenerConfig.builder().eventLoops(2));
    int port = listener.actualPort();
    assertThat(getOnNewConnection(port, "/").body()).isEqualTo("up");
    assertThat(f.vertx.deploymentIDs()).hasSize(1);

    listener.close().await();
    assertThat(listener.close().await()).isNull(); // idempotent

    assertThat(f.vertx.deploymentIDs()).isEmpty();
    assertThat(listener.address()).isNull();
    // Vert.x completes the close before the listening socket is released (a few milliseconds later on a busy
    // machine): wait until the port can be bound again
    await().atMost(Duration.ofSeconds(10)).ignoreException(BindException.class).untilAsserted(() -> {
      try (ServerSocket s = new ServerSocket(port, 50, InetAddress.getByName("127.0.0.1"))) {
        assertThat(s.getLocalPort()).isEqualTo(port);
      }
    });
  }
}
