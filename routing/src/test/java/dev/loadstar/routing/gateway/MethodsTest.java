package dev.loadstar.routing.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loadstar.routing.ListenerConfig;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** CONNECT has no meaning for a reverse proxy and ALB answers TRACE with 405: neither reaches a target. */
class MethodsTest {

  private final EdgeFixture edge = new EdgeFixture();

  @AfterEach
  void tearDown() {
    edge.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"CONNECT a.example:443 HTTP/1.1\r\nHost: a.example:443\r\n\r\n",
      "TRACE /ok HTTP/1.1\r\nHost: a\r\n\r\n", "TRACE * HTTP/1.1\r\nHost: a\r\n\r\n"})
  void connectAndTraceGet405(String request) throws Exception {
    edge.start(ListenerConfig.builder());
    assertThat(edge.exchange(request).status()).isEqualTo(405);
    assertThat(edge.seen).isEmpty();
    assertThat(edge.listener.stats().elbResponses(405)).isEqualTo(1);
  }

  @Test
  void h2ConnectGets405() throws Exception {
    edge.start(ListenerConfig.builder());
    try (RawH2 c = edge.h2()) {
      c.headers(1, true, ":method", "CONNECT", ":authority", "a.example:443");
      assertThat(c.await(1, Duration.ofSeconds(10)).status()).isEqualTo(405);
    }
    assertThat(edge.seen).isEmpty();
    assertThat(edge.escaped).isEmpty();
  }
}
