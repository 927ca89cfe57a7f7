package dev.loadstar.routing.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.loadstar.routing.ListenerConfig;
import io.vertx.core.http.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Raw bytes sent to a running listener in front of a real backend. For every input: the listener answers over HTTP
 * or closes the connection within a bounded wait (never a hang), nothing escapes to the event loop's exception
 * handler, and no connection is left open, neither the client's nor one to the backend (polled with a deadline).
 *
 * <p>In the normal build this runs in Jazzer's regression mode over the committed seeds
 * ({@code src/test/resources/dev/loadstar/routing/gateway/ListenerFuzzTestInputs/rawBytesGetAnAnswerOrAClose}), a
 * few seconds. To fuzz: {@code JAZZER_FUZZ=1 mvn -B -ntp -pl routing -am verify -Djazzer.hooks=true -Dtest=ListenerFuzzTest
 * -Dsurefire.failIfNoSpecifiedTests=false} (runs for {@code maxDuration}; crashing inputs are written next to the
 * seeds and replayed from then on).
 */
class ListenerFuzzTest {

  private static final Duration ANSWER_WITHIN = Duration.ofSeconds(15);
  /** How long the listener may stay silent before the test half-closes its side of the connection. */
  private static final int QUIET_MS = 250;
  private static EdgeFixture edge;
  private static final AtomicInteger backendConnections = new AtomicInteger();

  @BeforeAll
  static void start() {
    edge = new EdgeFixture();
    // a second backend that closes every connection after its response, so nothing stays pooled between inputs
    HttpServer closing = edge.f.vertx.createHttpServer()
        .connectionHandler(c -> {
          backendConnections.incrementAndGet();
          c.closeHandler(v -> backendConnections.decrementAndGet());
        })
        .requestHandler(req -> req.body().onComplete(b -> req.response().putHeader("connection", "close")
            .end("ok").onComplete(x -> req.connection().close())))
        .listen(0, "127.0.0.1").await();
    edge.f.groups.clear();
    edge.f.group("web", closing.actualPort());
    edge.start(ListenerConfig.builder().eventLoops(2).idleTimeout(Duration.ofSeconds(30)));
  }

  @AfterAll
  static void stop() {
    if (edge != null) {
      edge.close();
    }
  }

  @FuzzTest(maxDuration = "5m")
  void rawBytesGetAnAnswerOrAClose(byte[] input) throws Exception {
    byte[] answer = send(input);
    boolean h2 = startsWith(input, "PRI * HTTP/2.0");
    String text = new String(answer, StandardCharsets.ISO_8859_1);
    if (h2) {
      // the backend only ever answers 200: a 500 is the listener's own code failing
      assertThat(RawH2.statuses(answer)).as("h2 statuses").doesNotContain(500);
    } else if (answer.length > 0) {
      assertThat(text).as("an HTTP answer").startsWith("HTTP/");
      assertThat(text).as("the listener's own failure").doesNotContain(" 500 Internal Server Error");
    }
    assertThat(text).as("no stack trace in an answer").doesNotContain("Exception", "\tat ");
    await().atMost(Duration.ofSeconds(20)).until(() -> backendConnections.get() == 0
        && edge.listener.stats().activeConnections() == 0);
    assertThat(edge.escaped).as("exceptions that reached the event loop's handler").isEmpty();
  }

  /** Writes the input, half-closes, and reads until the listener closes; fails if nothing ends within the bound. */
  private static byte[] send(byte[] input) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (Socket s = new Socket("127.0.0.1", edge.port())) {
      s.setSoTimeout((int) ANSWER_WITHIN.toMillis());
      InputStream in = s.getInputStream();
      byte[] buf = new byte[8192];
      try {
        s.getOutputStream().write(input);
        // let the listener answer what it read before the half-close (else it may drop in-flight requests first),
        // then half-close so that an incomplete request ends the connection instead of waiting for more bytes
        s.setSoTimeout(QUIET_MS);
        long deadline = System.nanoTime() + ANSWER_WITHIN.toNanos();
        try {
          for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
            out.write(buf, 0, n);
            if (System.nanoTime() > deadline) {
              throw new AssertionError("the listener never stops sending for " + printable(input));
            }
          }
          return out.toByteArray(); // closed by the listener
        } catch (SocketTimeoutException quiet) {
          s.setSoTimeout((int) ANSWER_WITHIN.toMillis());
        }
        s.shutdownOutput();
      } catch (SocketException e) {
        // the listener answered and closed before reading everything: read what it sent
      }
      try {
        for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
          out.write(buf, 0, n);
        }
      } catch (SocketTimeoutException e) {
        throw new AssertionError("neither an answer nor a close within " + ANSWER_WITHIN + " for "
            + printable(input), e);
      } catch (SocketException e) {
        // reset: a close
      }
    }
    return out.toByteArray();
  }

  private static String printable(byte[] input) {
    return new String(input, StandardCharsets.ISO_8859_1).replace("\r", "\\r").replace("\n", "\\n");
  }

  private static boolean startsWith(byte[] input, String prefix) {
    if (input.length < prefix.length()) {
      return false;
    }
    for (int i = 0; i < prefix.length(); i++) {
      if (input[i] != prefix.charAt(i)) {
        return false;
      }
    }
    return true;
  }
}
