package dev.loadstar.routing.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loadstar.core.config.InvalidValueException;
import dev.loadstar.routing.ClassificationReason;
import dev.loadstar.routing.DesyncMitigationMode;
import dev.loadstar.routing.HttpListener;
import dev.loadstar.routing.ListenerConfig;
import dev.loadstar.routing.ListenerStats;
import dev.loadstar.routing.RequestClassification;
import dev.loadstar.routing.Verdict;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Requests are classified as ALB's HTTP Desync Guardian does and the mode acts on the class: monitor forwards,
 * defensive refuses severe requests and closes the connection after ambiguous ones, strictest refuses anything not
 * compliant. The class is counted and visible to inspection hooks.
 */
class DesyncMitigationTest {

  private static final String SEVERE = "POST /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
      + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n";
  private static final String AMBIGUOUS = "GET /ok HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello";
  private static final String ACCEPTABLE = "GET /ok HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n";
  private static final String COMPLIANT = "GET /ok HTTP/1.1\r\nHost: a\r\n\r\n";

  private final EdgeFixture edge = new EdgeFixture();
  private final List<String> hookSaw = new CopyOnWriteArrayList<>();

  @AfterEach
  void tearDown() {
    edge.close();
  }

  private void start(ListenerConfig.Builder config) {
    edge.start(HttpListener.builder(edge.f.vertx).rules(EdgeFixture.adminDenied()).hook(ctx -> {
      hookSaw.add(ctx.classification() + " " + ctx.classificationReason());
      return Future.succeededFuture(Verdict.pass());
    }), config);
  }

  private void start(DesyncMitigationMode mode) {
    start(ListenerConfig.builder().desyncMitigationMode(mode));
  }

  /** Sends the request, then a compliant one on the same connection if it stayed open; returns the statuses. */
  private String run(String request) throws Exception {
    try (RawHttp c = edge.raw()) {
      RawHttp.Response first = c.exchange(request);
      if ("close".equalsIgnoreCase(first.header("connection"))) {
        assertThat(c.closedByPeer()).as("closed as announced").isTrue();
        return first.status() + " closed";
      }
      return first.status() + " then " + c.exchange(COMPLIANT).status();
    }
  }

  @Test
  void defensiveIsTheDefault() {
    assertThat(ListenerConfig.builder().build().desyncMitigationMode()).isEqualTo(DesyncMitigationMode.DEFENSIVE);
    assertThat(ListenerConfig.builder().build().dropInvalidHeaderFields()).isFalse();
  }

  @Test
  void monitorForwardsEveryClass() throws Exception {
    start(DesyncMitigationMode.MONITOR);
    assertThat(run(SEVERE)).isEqualTo("200 then 200");
    assertThat(edge.seen.peek().body()).as("re-framed, body intact").isEqualTo("hello");
    assertThat(run(AMBIGUOUS)).isEqualTo("200 then 200");
    assertThat(run(ACCEPTABLE)).isEqualTo("200 then 200");
    assertThat(hookSaw).containsExactly("SEVERE MULTIPLE_TRANSFER_ENCODING_CHUNKED", "COMPLIANT null",
        "AMBIGUOUS UNDEFINED_CONTENT_LENGTH_SEMANTICS", "COMPLIANT null",
        "ACCEPTABLE GET_HEAD_ZERO_CONTENT_LENGTH", "COMPLIANT null");
    ListenerStats s = edge.listener.stats();
    assertThat(s.classifiedRequests(RequestClassification.SEVERE)).isEqualTo(1);
    assertThat(s.classifiedRequests(RequestClassification.AMBIGUOUS)).isEqualTo(1);
    assertThat(s.classifiedRequests(RequestClassification.ACCEPTABLE)).isEqualTo(1);
    assertThat(s.classifiedRequests(RequestClassification.COMPLIANT)).isEqualTo(3);
  }

  @Test
  void defensiveRefusesSevereAndClosesAfterAmbiguous() throws Exception {
    start(DesyncMitigationMode.DEFENSIVE);
    assertThat(run(SEVERE)).isEqualTo("400 closed");
    assertThat(run(AMBIGUOUS)).isEqualTo("200 closed");
    assertThat(run(ACCEPTABLE)).isEqualTo("200 then 200");
    assertThat(edge.seen).hasSize(3);
    assertThat(edge.listener.stats().classifiedRequests(RequestClassification.SEVERE)).isEqualTo(1);
  }

  @Test
  void strictestRefusesAnythingNotCompliant() throws Exception {
    start(DesyncMitigationMode.STRICTEST);
    assertThat(run(SEVERE)).isEqualTo("400 closed");
    assertThat(run(AMBIGUOUS)).isEqualTo("400 closed");
    assertThat(run(ACCEPTABLE)).isEqualTo("400 closed");
    assertThat(run(COMPLIANT)).isEqualTo("200 then 200");
    assertThat(edge.seen).hasSize(2);
  }

  @ParameterizedTest
  @EnumSource(DesyncMitigationMode.class)
  void unframeableRequestsAreRefusedInEveryMode(DesyncMitigationMode mode) throws Exception {
    start(mode);
    assertThat(run("POST /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n"))
        .isEqualTo("501 closed");
    assertThat(edge.seen).isEmpty();
  }

  @Test
  void framingLookalikeIsSuspicious() throws Exception {
    start(DesyncMitigationMode.DEFENSIVE);
    String lookalike = "POST /up HTTP/1.1\r\nHost: a\r\nTransfer_Encoding: chunked\r\nContent-Length: 5\r\n\r\nhello";
    assertThat(run(lookalike)).isEqualTo("200 closed");
    assertThat(hookSaw).containsExactly("AMBIGUOUS SUSPICIOUS_HEADER");
    EdgeFixture strict = new EdgeFixture();
    try {
      strict.start(ListenerConfig.builder().desyncMitigationMode(DesyncMitigationMode.STRICTEST));
      assertThat(strict.exchange(lookalike).status()).isEqualTo(400);
      assertThat(strict.seen).isEmpty();
    } finally {
      strict.close();
    }
  }

  private RawH2.Answer h2WithInvalidName() throws Exception {
    try (RawH2 c = edge.h2()) {
      c.headers(1, true, ":method", "GET", ":scheme", "http", ":path", "/ok", ":authority", "a", "x(y", "1",
          "x-fine", "2");
      return c.await(1, Duration.ofSeconds(10));
    }
  }

  @Test
  void invalidHeaderNameIsDroppedWhenAsked() throws Exception {
    start(ListenerConfig.builder().dropInvalidHeaderFields(true).desyncMitigationMode(DesyncMitigationMode.STRICTEST));
    assertThat(h2WithInvalidName().status()).isEqualTo(200);
    assertThat(edge.seen).singleElement().satisfies(s -> {
      assertThat(s.headers().get("x(y")).isNull();
      assertThat(s.headers().get("x-fine")).isEqualTo("2");
    });
    assertThat(hookSaw).containsExactly("COMPLIANT null");
  }

  @Test
  void invalidHeaderNameMakesTheRequestAmbiguousOtherwise() throws Exception {
    start(DesyncMitigationMode.DEFENSIVE);
    assertThat(h2WithInvalidName().status()).isEqualTo(200);
    assertThat(edge.seen).singleElement().satisfies(s -> assertThat(s.headers().get("x(y")).isNull());
    assertThat(hookSaw).containsExactly("AMBIGUOUS INVALID_HEADER_NAME");
  }

  @Test
  void invalidHeaderNameIsRefusedInStrictestMode() throws Exception {
    start(DesyncMitigationMode.STRICTEST);
    assertThat(h2WithInvalidName().status()).isEqualTo(400);
    assertThat(edge.seen).isEmpty();
    assertThat(edge.listener.stats().classifiedRequests(RequestClassification.AMBIGUOUS)).isEqualTo(1);
  }

  @Test
  void modesAndReasonsCarryAlbNames() {
    assertThat(DesyncMitigationMode.fromAlbName("Strictest")).isEqualTo(DesyncMitigationMode.STRICTEST);
    assertThat(DesyncMitigationMode.DEFENSIVE.albName()).isEqualTo("defensive");
    assertThat(ClassificationReason.BOTH_TE_CL_PRESENT.albName()).isEqualTo("BothTeClPresent");
    assertThat(RequestClassification.AMBIGUOUS.albName()).isEqualTo("Ambiguous");
    assertThatThrownBy(() -> DesyncMitigationMode.fromAlbName("lenient")).isInstanceOf(InvalidValueException.class)
        .hasMessageContaining("desyncMitigationMode: \"lenient\" (expected: monitor, defensive or strictest)");
  }
}
