package dev.loadstar.core;

import static dev.loadstar.core.RetryTest.failure;
import static org.assertj.core.api.Assertions.assertThat;

import dev.loadstar.core.Backends.Backend;
import dev.loadstar.core.LoadBalancerException.Kind;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ClientRoutingTest {

  /** What the router saw for one request. */
  record Seen(HttpMethod method, String host, int port, String path, String query, String header) {
  }

  private Vertx vertx;
  private Backends backends;
  private LoadBalancedClient client;
  private final List<Seen> seen = new ArrayList<>();

  /** A small rule set: canary header first, then host, then path prefix. */
  private final RequestRouter router = (HttpMethod method, String host, int port, String path, String query,
      MultiMap headers) -> {
    synchronized (seen) {
      seen.add(new Seen(method, host, port, path, query, headers.get("x-canary")));
    }
    if ("1".equals(headers.get("x-canary"))) {
      return "canary";
    }
    if (host.equals("orders.internal")) {
      return "orders";
    }
    if (path.startsWith("/api/users")) {
      return "users";
    }
    if (host.equals("ghost.internal")) {
      return "ghost";
    }
    if (host.equals("broken.internal")) {
      throw new IllegalStateException("rule table not loaded");
    }
    return null;
  };

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    backends = new Backends(vertx);
    client = LoadBalancedClient.create(vertx);
    for (String name : List.of("orders", "users", "canary")) {
      Backend b = backends.start(name);
      b.handler = req -> req.response().end(name + " " + req.uri() + " host=" + req.headers().get("Host"));
      TargetGroup g = TargetGroup.create(vertx, TargetGroupConfig.builder(name).build());
      g.register(b.target(name + "-1"));
      client.addTargetGroup(g);
    }
  }

  @AfterEach
  void tearDown() {
    client.close().await();
    vertx.close().await();
  }

  @Test
  void routesByHostPathAndHeaderToTheChosenGroup() {
    client.router(router);
    LoadBalancedResponse orders = client.requestAbs(HttpMethod.GET, "http://Orders.Internal/api/x?y=1&z=2")
        .send().await();
    assertThat(orders.bodyAsString()).isEqualTo("orders /api/x?y=1&z=2 host=Orders.Internal");
    assertThat(orders.target().id()).isEqualTo("orders-1");

    LoadBalancedResponse users = client.requestAbs(HttpMethod.DELETE, "https://gateway.internal:8443/api/users/7")
        .send().await();
    assertThat(users.bodyAsString()).isEqualTo("users /api/users/7 host=gateway.internal:8443");

    LoadBalancedResponse canary = client.requestAbs(HttpMethod.GET, "http://orders.internal/api/x")
        .putHeader("x-canary", "1").putHeader("Host", "explicit.example").send().await();
    assertThat(canary.bodyAsString()).isEqualTo("canary /api/x host=explicit.example");

    assertThat(seen).containsExactly(
        new Seen(HttpMethod.GET, "orders.internal", 80, "/api/x", "y=1&z=2", null),
        new Seen(HttpMethod.DELETE, "gateway.internal", 8443, "/api/users/7", null, null),
        new Seen(HttpMethod.GET, "orders.internal", 80, "/api/x", null, "1"));
  }

  @Test
  void defaultPortsAndEmptyPathAreFilledIn() {
    client.router(router);
    client.requestAbs(HttpMethod.GET, "https://orders.internal").send().await();
    client.requestAbs(HttpMethod.GET, "http://orders.internal:9090").send().await();
    assertThat(seen).containsExactly(
        new Seen(HttpMethod.GET, "orders.internal", 443, "/", null, null),
        new Seen(HttpMethod.GET, "orders.internal", 9090, "/", null, null));
  }

  @Test
  void unroutableRequestsFailWithTypedErrors() {
    LoadBalancerException noRouter = failure(client.requestAbs(HttpMethod.GET, "http://orders.internal/"));
    assertThat(noRouter.kind()).isEqualTo(Kind.NO_ROUTE);
    assertThat(noRouter.group()).isNull();
    assertThat(noRouter.getMessage()).isEqualTo("no request router is set for GET http://orders.internal/");

    client.router(router);
    LoadBalancerException noRule = failure(client.requestAbs(HttpMethod.POST, "http://nowhere.internal/a"));
    assertThat(noRule.kind()).isEqualTo(Kind.NO_ROUTE);
    assertThat(noRule.getMessage()).isEqualTo("no rule matches POST http://nowhere.internal/a");

    LoadBalancerException unknown = failure(client.requestAbs(HttpMethod.GET, "http://ghost.internal/"));
    assertThat(unknown.kind()).isEqualTo(Kind.UNKNOWN_GROUP);
    assertThat(unknown.group()).isEqualTo("ghost");
    assertThat(unknown.getMessage())
        .isEqualTo("target group ghost: no target group with this name is added to the client");

    LoadBalancerException broken = failure(client.requestAbs(HttpMethod.GET, "http://broken.internal/"));
    assertThat(broken.kind()).isEqualTo(Kind.NO_ROUTE);
    assertThat(broken.getCause()).hasMessage("rule table not loaded");
    assertThat(backends.get("orders").received.get() + backends.get("users").received.get()).isZero();
  }

  @Test
  void removingAGroupMakesItUnknown() {
    client.router(router);
    assertThat(client.removeTargetGroup("orders")).isNotNull();
    assertThat(failure(client.requestAbs(HttpMethod.GET, "http://orders.internal/")).kind())
        .isEqualTo(Kind.UNKNOWN_GROUP);
    assertThat(client.targetGroup("orders")).isNull();
  }

  @Test
  void aRequestIsSentOnce() {
    LoadBalancedRequest r = client.get("orders", "/");
    r.send().await();
    assertThat(r.send().failed()).isTrue();
    assertThat(r.send().cause()).hasMessage("request: already sent (expected: one send per request)");
  }
}
