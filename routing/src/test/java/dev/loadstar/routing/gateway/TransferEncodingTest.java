package dev.loadstar.routing.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loadstar.routing.ListenerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Request body framing is read once and strictly: one {@code Transfer-Encoding: chunked} or one Content-Length, and
 * nothing else is forwarded (a request whose body the listener would drop or misread is refused, and its
 * connection closed so the bytes left on it are never read as a next request).
 */
class TransferEncodingTest {

  private static final String BODY = "5\r\nhello\r\n0\r\n\r\n";
  private final EdgeFixture edge = new EdgeFixture();

  @AfterEach
  void tearDown() {
    edge.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"chunked", "CHUNKED", "  ChUnKeD  "})
  void singleChunkedIsForwardedWithItsBody(String value) throws Exception {
    edge.start(ListenerConfig.builder());
    RawHttp.Response r = edge.exchange("POST /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: " + value + "\r\n\r\n"
        + BODY);
    assertThat(r.status()).isEqualTo(200);
    assertThat(edge.seen).singleElement().satisfies(s -> assertThat(s.body()).isEqualTo("hello"));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "Transfer-Encoding: chunked, identity|501",
      "Transfer-Encoding: gzip, chunked|501",
      "Transfer-Encoding: identity|501",
      "Transfer-Encoding: xchunked|501",
      "Transfer-Encoding: chunked, chunked|501",
      "Transfer-Encoding: chunked,|400",
      "Transfer-Encoding: chunked~Transfer-Encoding: chunked|400",
      "Transfer-Encoding: chunked~Transfer-Encoding: gzip|501",
  })
  void anyOtherFramingIsRefusedAndNeverForwarded(String fields, int status) throws Exception {
    edge.start(ListenerConfig.builder());
    try (RawHttp c = edge.raw()) {
      // '~' separates two fields (a CSV value cannot hold a line break)
      RawHttp.Response r = c.exchange("POST /up HTTP/1.1\r\nHost: a\r\n" + fields.replace("~", "\r\n") + "\r\n\r\n"
          + BODY);
      assertThat(r.status()).isEqualTo(status);
      assertThat(c.closedByPeer()).as("connection closed after the refusal").isTrue();
    }
    assertThat(edge.seen).isEmpty();
  }

  /**
   * Transfer-Encoding with Content-Length: Netty's decoder applies RFC 9112 6.3 before the listener sees the request
   * (chunked wins, Content-Length removed), so the request cannot be refused with 400 here; what matters is that the
   * target gets one framing, the chunked body, and no Content-Length (the smuggling attempt fails).
   */
  @ParameterizedTest
  @ValueSource(strings = {"Transfer-Encoding: chunked\r\nContent-Length: 4", "Content-Length: 4\r\nTransfer-Encoding: chunked"})
  void transferEncodingWinsOverContentLengthAndOnlyTheChunkedBodyIsForwarded(String fields) throws Exception {
    edge.start(ListenerConfig.builder());
    try (RawHttp c = edge.raw()) {
      RawHttp.Response r = c.exchange("POST /up HTTP/1.1\r\nHost: a\r\n" + fields + "\r\n\r\n" + BODY);
      assertThat(r.status()).isEqualTo(200);
    }
    assertThat(edge.seen).singleElement().satisfies(s -> {
      assertThat(s.body()).isEqualTo("hello");
      assertThat(s.headers().get("content-length")).isNull();
    });
  }

  @Test
  void smuggledRequestAfterAnUnknownCodingIsNeverRead() throws Exception {
    edge.start(ListenerConfig.builder());
    String smuggled = "GET /admin-smuggled HTTP/1.1\r\nHost: a\r\n\r\n";
    try (RawHttp c = edge.raw()) {
      RawHttp.Response r = c.exchange("POST /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n"
          + smuggled);
      assertThat(r.status()).isEqualTo(501);
      assertThat(c.closedByPeer()).isTrue();
    }
    assertThat(edge.seen).isEmpty();
  }

  @Test
  void http10WithTransferEncodingIsRefused() throws Exception {
    edge.start(ListenerConfig.builder());
    assertThat(edge.exchange("POST /up HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n" + BODY).status())
        .isEqualTo(400);
    assertThat(edge.seen).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"Content-Length: 5\r\nContent-Length: 6", "Content-Length: 5, 6", "Content-Length: -5",
      "Content-Length: 5x"})
  void conflictingOrInvalidContentLengthIsRefused(String fields) throws Exception {
    edge.start(ListenerConfig.builder());
    assertThat(edge.exchange("POST /up HTTP/1.1\r\nHost: a\r\n" + fields + "\r\n\r\nhello!").status()).isEqualTo(400);
    assertThat(edge.seen).isEmpty();
  }

  @Test
  void contentLengthBodyIsForwarded() throws Exception {
    edge.start(ListenerConfig.builder());
    assertThat(edge.exchange("POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello").status())
        .isEqualTo(200);
    assertThat(edge.seen).singleElement().satisfies(s -> assertThat(s.body()).isEqualTo("hello"));
  }
}
