package dev.loadstar.routing.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loadstar.routing.Action;
import dev.loadstar.routing.Condition;
import dev.loadstar.routing.HttpListener;
import dev.loadstar.routing.ListenerConfig;
import dev.loadstar.routing.Rule;
import dev.loadstar.routing.RuleSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Host: exactly one valid Host on HTTP/1.1; absolute-form targets are routed and forwarded on their own authority,
 * in origin-form; the client's own forwarding headers are not passed on.
 */
class HostHandlingTest {

  private final EdgeFixture edge = new EdgeFixture();

  @AfterEach
  void tearDown() {
    edge.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"Host: a.example\r\nHost: b.example\r\n", "", "Host: a b\r\n", "Host: a.example:99999\r\n",
      "Host: a.example:0\r\n", "Host: a.example:\r\n", "Host: a.example:8x\r\n", "Host: a/b\r\n", "Host: a@b\r\n",
      "Host: \r\n", "Host: [::1\r\n", "Host: a.example, b.example\r\n"})
  void http11RequestWithoutExactlyOneValidHostIsRefused(String hostLines) throws Exception {
    edge.start(ListenerConfig.builder());
    RawHttp.Response r = edge.exchange("GET /ok HTTP/1.1\r\n" + hostLines + "\r\n");
    assertThat(r.status()).isEqualTo(400);
    assertThat(edge.seen).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"a.example", "a.example:8080", "127.0.0.1:1", "[::1]:65535", "A-b_c.example."})
  void validHostIsForwarded(String host) throws Exception {
    edge.start(ListenerConfig.builder());
    assertThat(edge.exchange("GET /ok HTTP/1.1\r\nHost: " + host + "\r\n\r\n").status()).isEqualTo(200);
    assertThat(edge.seen).hasSize(1);
  }

  @Test
  void http10RequestMayOmitHost() throws Exception {
    edge.start(ListenerConfig.builder());
    assertThat(edge.exchange("GET /ok HTTP/1.0\r\n\r\n").status()).isEqualTo(200);
    assertThat(edge.seen).hasSize(1);
  }

  @Test
  void absoluteFormIsRoutedAndForwardedOnItsOwnAuthorityInOriginForm() throws Exception {
    RuleSet rules = RuleSet.builder()
        .rule(Rule.named("other-host", 1, Action.fixedResponse(200, "text/plain", "routed on the Host header"),
            Condition.hostHeader("other.example")))
        .rule(Rule.named("abs-admin", 2, Action.fixedResponse(403, "text/plain", "denied"),
            Condition.hostHeader("abs.example"), Condition.pathPattern("/admin*")))
        .defaultAction(Action.forward("web")).build();
    edge.start(HttpListener.builder(edge.f.vertx).rules(rules), ListenerConfig.builder());
    int port = edge.port();

    RawHttp.Response r = edge.exchange("GET http://abs.example/x/../y?q=1 HTTP/1.1\r\nHost: other.example\r\n\r\n");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.header("x-backend")).isEqualTo("yes");
    assertThat(edge.seen).singleElement().satisfies(s -> {
      assertThat(s.uri()).isEqualTo("/y?q=1");
      assertThat(s.headers().get("host")).isEqualTo("abs.example:" + port);
    });

    assertThat(edge.exchange("GET HTTP://abs.example:8080/%61dmin HTTP/1.1\r\nHost: other.example\r\n\r\n").status())
        .isEqualTo(403);
    assertThat(edge.exchange("GET http://abs.example HTTP/1.1\r\nHost: abs.example\r\n\r\n").status()).isEqualTo(200);
    assertThat(edge.seen).hasSize(2).last().satisfies(s -> assertThat(s.uri()).isEqualTo("/"));
  }

  @Test
  void absoluteFormKeepsItsAuthorityWhenHostIsPreserved() throws Exception {
    edge.start(ListenerConfig.builder().preserveHostHeader(true));
    edge.exchange("GET http://abs.example:81/p HTTP/1.1\r\nHost: other.example\r\n\r\n");
    assertThat(edge.seen).singleElement().satisfies(s -> {
      assertThat(s.uri()).isEqualTo("/p");
      assertThat(s.headers().get("host")).isEqualTo("abs.example:81");
    });
  }

  @ParameterizedTest
  @ValueSource(strings = {"ftp://a.example/x", "http://user@a.example/x", "http:///x", "http://a b/x",
      "http://a.example:99999/x", "http://a.example/../x"})
  void invalidAbsoluteFormIsRefused(String target) throws Exception {
    edge.start(ListenerConfig.builder());
    assertThat(edge.exchange("GET " + target + " HTTP/1.1\r\nHost: a.example\r\n\r\n").status()).isEqualTo(400);
    assertThat(edge.seen).isEmpty();
  }

  @Test
  void clientsOwnForwardingHeadersAreDropped() throws Exception {
    edge.start(ListenerConfig.builder());
    edge.exchange("GET /ok HTTP/1.1\r\nHost: a.example\r\nX-Forwarded-Host: evil.example\r\n"
        + "Forwarded: for=6.6.6.6;host=evil.example\r\nX-Real-IP: 6.6.6.6\r\nX-Forwarded-For: 1.2.3.4\r\n"
        + "X-Forwarded-Proto: https\r\nX-Forwarded-Port: 1\r\n\r\n");
    assertThat(edge.seen).singleElement().satisfies(s -> {
      assertThat(s.headers().get("x-forwarded-host")).isNull();
      assertThat(s.headers().get("forwarded")).isNull();
      assertThat(s.headers().get("x-real-ip")).isNull();
      assertThat(s.headers().get("x-forwarded-for")).isEqualTo("1.2.3.4, 127.0.0.1");
      assertThat(s.headers().get("x-forwarded-proto")).isEqualTo("http");
      assertThat(s.headers().get("x-forwarded-port")).isEqualTo(String.valueOf(edge.port()));
    });
  }
}
