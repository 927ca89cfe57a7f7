package dev.loadstar.routing.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loadstar.routing.Action;
import dev.loadstar.routing.Condition;
import dev.loadstar.routing.ListenerConfig;
import dev.loadstar.routing.Rule;
import dev.loadstar.routing.RuleSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** ALB's {@code #{port}} in a redirect: the Host header's port, else the listener's port (not the scheme's). */
class RedirectPortTest {

  private final GatewayFixture f = new GatewayFixture();

  @AfterEach
  void tearDown() {
    f.close();
  }

  private int start() {
    f.group("web", f.backend("web-1"));
    f.start(RuleSet.builder()
        .rule(Rule.named("to-v2", 10, Action.redirect(302).withPath("/v2/#{path}"), Condition.pathPattern("/old/*")))
        .rule(Rule.named("to-b", 20, Action.redirect(301).withHost("b.example.com"), Condition.pathPattern("/b")))
        .defaultAction(Action.forward("web"))
        .build(), ListenerConfig.builder());
    return f.listener.actualPort();
  }

  @Test
  void portPlaceholderIsTheListenersPortWhenTheHostHeaderHasNone() {
    int port = start();
    GatewayFixture.Resp r = f.get("/old/x?q=1", GatewayFixture.headers("Host", "www.example.com"));
    assertThat(r.status()).isEqualTo(302);
    assertThat(r.headers().get("location")).isEqualTo("http://www.example.com:" + port + "/v2/old/x?q=1");
  }

  @Test
  void portPlaceholderKeepsThePortTheHostHeaderNames() {
    start();
    GatewayFixture.Resp r = f.get("/b", GatewayFixture.headers("Host", "a.example.com:8443"));
    assertThat(r.headers().get("location")).isEqualTo("http://b.example.com:8443/b");
  }

  @Test
  void schemesDefaultPortInTheHostHeaderIsLeftOut() {
    start();
    GatewayFixture.Resp r = f.get("/b", GatewayFixture.headers("Host", "a.example.com:80"));
    assertThat(r.headers().get("location")).isEqualTo("http://b.example.com/b");
  }
}
