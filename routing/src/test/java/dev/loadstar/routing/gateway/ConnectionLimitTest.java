package dev.loadstar.routing.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.loadstar.core.config.InvalidValueException;
import dev.loadstar.routing.ListenerConfig;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code maxConnections}: one count for the whole listener across its event loops; extra connections are closed. */
class ConnectionLimitTest {

  private static final String GET = "GET /ok HTTP/1.1\r\nHost: a.example\r\n\r\n";
  private final EdgeFixture edge = new EdgeFixture();

  @AfterEach
  void tearDown() {
    edge.close();
  }

  @Test
  void connectionsBeyondTheLimitAreClosedAndCountedAcrossEventLoops() throws Exception {
    edge.start(ListenerConfig.builder().maxConnections(2).eventLoops(2));
    try (RawHttp a = edge.raw(); RawHttp b = edge.raw()) {
      // both served (on the two event loops in turn) and kept open
      assertThat(a.exchange(GET).status()).isEqualTo(200);
      assertThat(b.exchange(GET).status()).isEqualTo(200);
      for (int i = 0; i < 5; i++) {
        try (RawHttp c = edge.raw()) {
          c.send(GET);
          assertThat(c.closedByPeer()).as("connection beyond the limit closed unanswered").isTrue();
        }
      }
      assertThat(edge.listener.stats().rejectedConnections()).isEqualTo(5);
      assertThat(edge.seen).as("no request served on a rejected connection").hasSize(2);
      assertThat(a.exchange(GET).status()).as("admitted connections keep working").isEqualTo(200);
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> edge.listener.stats().activeConnections() == 0);
    try (RawHttp d = edge.raw(); RawHttp e = edge.raw()) {
      assertThat(d.exchange(GET).status()).as("places given back when connections close").isEqualTo(200);
      assertThat(e.exchange(GET).status()).isEqualTo(200);
    }
    assertThat(edge.listener.stats().rejectedConnections()).isEqualTo(5);
  }

  @Test
  void zeroMeansUnlimited() throws Exception {
    edge.start(ListenerConfig.builder().maxConnections(0).eventLoops(1));
    RawHttp[] open = new RawHttp[20];
    try {
      for (int i = 0; i < open.length; i++) {
        open[i] = edge.raw();
        assertThat(open[i].exchange(GET).status()).isEqualTo(200);
      }
    } finally {
      for (RawHttp c : open) {
        if (c != null) {
          c.close();
        }
      }
    }
    assertThat(edge.listener.stats().rejectedConnections()).isZero();
  }

  @Test
  void limitHasASensibleDefaultAndIsValidated() {
    assertThat(ListenerConfig.builder().build().maxConnections()).isEqualTo(10_000);
    assertThatThrownBy(() -> ListenerConfig.builder().maxConnections(-1).build())
        .isInstanceOf(InvalidValueException.class).hasMessageContaining("maxConnections: -1");
  }
}
