package dev.loadstar.routing.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loadstar.routing.ListenerConfig;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Header fields that would inject headers on the HTTP/1.1 connection to the target (CR, LF, NUL) or that the target
 * connection cannot carry, sent over h2c with hand-written frames and over HTTP/1.x on a raw socket: each gets a 400
 * or a stream reset, never a forward, never a 500, never silence.
 */
class HeaderInjectionTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private final EdgeFixture edge = new EdgeFixture();

  @AfterEach
  void tearDown() {
    edge.close();
  }

  private RawH2.Answer h2(String... fields) throws Exception {
    try (RawH2 c = edge.h2()) {
      c.headers(1, true, fields);
      return c.await(1, WAIT);
    }
  }

  private static String[] get(String... extra) {
    String[] base = {":method", "GET", ":scheme", "http", ":path", "/ok", ":authority", "a.example"};
    String[] all = java.util.Arrays.copyOf(base, base.length + extra.length);
    System.arraycopy(extra, 0, all, base.length, extra.length);
    return all;
  }

  private void refused(RawH2.Answer a) {
    assertThat(a.reset() || a.status() == 400).as("answer %s", a).isTrue();
    assertThat(edge.seen).as("forwarded").isEmpty();
    assertThat(edge.escaped).as("exceptions that reached the event loop").isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"b\r\nx-injected: 1", "b\nx-injected: 1", "b\rc", "b\0c", "b\u0001c", "b\u007fc"})
  void h2HeaderValueWithControlCharacterIsRefusedNotForwarded(String value) throws Exception {
    edge.start(ListenerConfig.builder());
    RawH2.Answer a = h2(get("x-a", value));
    refused(a);
    assertThat(a.status()).as("never a 500").isNotEqualTo(500);
  }

  @ParameterizedTest
  @ValueSource(strings = {"x-a\r\nx-injected", "x-a\0", "bad name", "x-\u00e9"})
  void h2HeaderNameWithControlSpaceOrNonAsciiIsRefused(String name) throws Exception {
    edge.start(ListenerConfig.builder());
    refused(h2(get(name, "v")));
  }

  @Test
  void h2PathWithCrLfIsAnsweredNotLeftSilent() throws Exception {
    edge.start(ListenerConfig.builder());
    refused(h2(":method", "GET", ":scheme", "http", ":path", "/o\r\nk", ":authority", "a.example"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"missing-method", "missing-path", "empty-path", "relative-path", "missing-authority",
      "unknown-pseudo", "absolute-path"})
  void h2MalformedPseudoHeadersGetAnAnswer(String which) throws Exception {
    edge.start(ListenerConfig.builder());
    String[] fields = switch (which) {
      case "missing-method" -> new String[] {":scheme", "http", ":path", "/ok", ":authority", "a"};
      case "missing-path" -> new String[] {":method", "GET", ":scheme", "http", ":authority", "a"};
      case "empty-path" -> new String[] {":method", "GET", ":scheme", "http", ":path", "", ":authority", "a"};
      case "relative-path" -> new String[] {":method", "GET", ":scheme", "http", ":path", "ok", ":authority", "a"};
      case "missing-authority" -> new String[] {":method", "GET", ":scheme", "http", ":path", "/ok"};
      case "unknown-pseudo" -> get(":bogus", "x");
      default -> new String[] {":method", "GET", ":scheme", "http", ":path", "http://a/ok", ":authority", "a"};
    };
    refused(h2(fields));
  }

  @Test
  void h2CleanRequestIsForwarded() throws Exception {
    edge.start(ListenerConfig.builder());
    RawH2.Answer a = h2(get("x-a", "fine value"));
    assertThat(a.status()).isEqualTo(200);
    assertThat(edge.seen).singleElement().satisfies(s -> assertThat(s.headers().get("x-a")).isEqualTo("fine value"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"X-A: b\0c", "X-A: b\u0001c", "X-A: b\u007fc", "X-A: b\rc"})
  void http1HeaderValueWithControlCharacterIsRefused(String field) throws Exception {
    edge.start(ListenerConfig.builder());
    RawHttp.Response r = edge.exchange("GET /ok HTTP/1.1\r\nHost: a\r\n" + field + "\r\n\r\n");
    assertThat(r.status()).isEqualTo(400);
    assertThat(edge.seen).isEmpty();
  }

  @Test
  void http1ObsFoldNeverReachesTheTargetAsALineBreak() throws Exception {
    edge.start(ListenerConfig.builder());
    RawHttp.Response r = edge.exchange("GET /ok HTTP/1.1\r\nHost: a\r\nX-A: b\r\n x-injected: 1\r\n\r\n");
    // RFC 9112 5.2: reject, or replace the fold with a space; either way no new field appears at the target
    if (r.status() == 200) {
      assertThat(edge.seen).singleElement().satisfies(s -> {
        assertThat(s.headers().get("x-injected")).isNull();
        assertThat(s.headers().get("x-a")).doesNotContain("\r", "\n");
      });
    } else {
      assertThat(r.status()).isEqualTo(400);
      assertThat(edge.seen).isEmpty();
    }
  }
}
