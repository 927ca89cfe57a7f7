package dev.loadstar.routing.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loadstar.routing.Action;
import dev.loadstar.routing.Condition;
import dev.loadstar.routing.ListenerConfig;
import dev.loadstar.routing.ListenerStats;
import dev.loadstar.routing.Rule;
import dev.loadstar.routing.RuleSet;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The listener's per-group target response classes and its connection counts. */
class ListenerStatsTest {

  private final GatewayFixture f = new GatewayFixture();

  @AfterEach
  void tearDown() {
    f.close();
  }

  /** A backend answering with the status code given as the last path segment. */
  private int statusBackend() {
    HttpServer s = f.vertx.createHttpServer().requestHandler(req -> {
      String p = req.path();
      req.response().setStatusCode(Integer.parseInt(p.substring(p.lastIndexOf('/') + 1))).end();
    }).listen(0, "127.0.0.1").await();
    return s.actualPort();
  }

  @Test
  void targetResponsesAreCountedPerGroupAndStatusClass() {
    f.group("web", statusBackend());
    f.group("api", statusBackend());
    RuleSet rules = RuleSet.builder()
        .rule(Rule.of(1, Action.forward("api"), Condition.pathPattern("/api/*")))
        .rule(Rule.of(2, Action.fixedResponse(404, "text/plain", "none"), Condition.pathPattern("/fixed/*")))
        .defaultAction(Action.forward("web")).build();
    f.start(rules, ListenerConfig.builder());

    for (String uri : new String[] {"/200", "/201", "/302", "/404", "/503", "/api/200", "/api/500", "/fixed/404"}) {
      f.get(uri);
    }

    ListenerStats s = f.listener.stats();
    assertThat(s.targetResponses("web", 2)).isEqualTo(2);
    assertThat(s.targetResponses("web", 3)).isEqualTo(1);
    assertThat(s.targetResponses("web", 4)).isEqualTo(1);
    assertThat(s.targetResponses("web", 5)).isEqualTo(1);
    assertThat(s.targetResponses("api", 2)).isEqualTo(1);
    assertThat(s.targetResponses("api", 5)).isEqualTo(1);
    assertThat(s.targetResponses("api", 4)).isZero();
    assertThat(s.targetResponses("unknown", 2)).isZero();
    // a fixed response is the listener's own answer, not a target's (and not an error page)
    assertThat(s.elbResponses(404)).isZero();
  }

  @Test
  void connectionsAreCountedWhileOpenAndInTotal() {
    f.group("web", statusBackend());
    f.start(RuleSet.of(Action.forward("web")), ListenerConfig.builder());
    ListenerStats s = f.listener.stats();

    HttpClient one = f.vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true));
    one.request(HttpMethod.GET, f.listener.actualPort(), "127.0.0.1", "/200")
        .compose(r -> r.send().compose(resp -> resp.body())).await();
    await().atMost(Duration.ofSeconds(5)).until(() -> s.activeConnections() == 1);
    assertThat(s.newConnections()).isEqualTo(1);

    one.close().await();
    await().atMost(Duration.ofSeconds(5)).until(() -> s.activeConnections() == 0);
    assertThat(s.newConnections()).isEqualTo(1);
  }
}
