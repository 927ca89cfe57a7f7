package dev.loadstar.routing.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loadstar.routing.ListenerConfig;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Paths are normalised before rules match and forwarded normalised, so an encoded or dotted spelling of a denied path
 * never reaches a target; what cannot be normalised safely is refused with 400.
 */
class PathNormalisationTest {

  private final EdgeFixture edge = new EdgeFixture();

  @AfterEach
  void tearDown() {
    edge.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"/%61dmin", "//admin", "/./admin", "/x/../admin", "/%2e/admin", "\\admin", "admin",
      "/%2E%2E/admin", "/x/%2e%2e/admin", "/ADMIN/../admin/x", "/admin/", "/%61%64%6d%69%6e/users"})
  void deniedPathNeverReachesTheTargetWhateverItsSpelling(String path) throws Exception {
    edge.start(ListenerConfig.builder());
    RawHttp.Response r = edge.exchange("GET " + path + " HTTP/1.1\r\nHost: a.example\r\n\r\n");
    assertThat(r.status()).as("answer to %s", path).isIn(403, 400);
    assertThat(edge.seen).as("forwarded %s", path).isEmpty();
  }

  @Test
  void deniedPathOverH2NeverReachesTheTarget() throws Exception {
    edge.start(ListenerConfig.builder());
    try (RawH2 c = edge.h2()) {
      c.headers(1, true, ":method", "GET", ":scheme", "http", ":path", "/%61dmin", ":authority", "a.example");
      assertThat(c.await(1, Duration.ofSeconds(10)).status()).isEqualTo(403);
    }
    assertThat(edge.seen).isEmpty();
  }

  @ParameterizedTest
  @CsvSource({
      "/a/./b/../c//d?q=%2e&x=/../y, /a/c/d?q=%2e&x=/../y",
      "/a%2fb/%2e, /a%2Fb/",
      "/%7euser/%41b, /~user/Ab",
      "/ok?, /ok?",
  })
  void targetGetsTheNormalisedPathAndTheQueryAsSent(String sent, String forwarded) throws Exception {
    edge.start(ListenerConfig.builder());
    RawHttp.Response r = edge.exchange("GET " + sent + " HTTP/1.1\r\nHost: a.example\r\n\r\n");
    assertThat(r.status()).isEqualTo(200);
    assertThat(edge.seen).singleElement().satisfies(s -> assertThat(s.uri()).isEqualTo(forwarded));
  }

  @ParameterizedTest
  @ValueSource(strings = {"/a%00b", "/a%zz", "/a%4", "/../x", "/a/../../x", "/a\\b", "/a\u0001b", "/ok?a\u0001b",
      "/\u00e9"})
  void pathThatCannotBeNormalisedSafelyIsRefused(String path) throws Exception {
    edge.start(ListenerConfig.builder());
    try (RawHttp c = edge.raw()) {
      RawHttp.Response r = c.exchange("GET " + path + " HTTP/1.1\r\nHost: a.example\r\n\r\n");
      assertThat(r.status()).isEqualTo(400);
      assertThat(c.closedByPeer()).as("connection closed after a refused request").isTrue();
    }
    assertThat(edge.seen).isEmpty();
  }

  @Test
  void asteriskFormIsForwardedForOptionsOnly() throws Exception {
    edge.start(ListenerConfig.builder());
    assertThat(edge.exchange("OPTIONS * HTTP/1.1\r\nHost: a.example\r\n\r\n").status()).isEqualTo(200);
    assertThat(edge.seen).singleElement().satisfies(s -> assertThat(s.uri()).isEqualTo("*"));
    assertThat(edge.exchange("GET * HTTP/1.1\r\nHost: a.example\r\n\r\n").status()).isEqualTo(400);
    assertThat(edge.seen).hasSize(1);
  }
}
