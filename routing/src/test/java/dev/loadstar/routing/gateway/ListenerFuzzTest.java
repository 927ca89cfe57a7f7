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
    if (answer.length > 0 && !h2) {
      assertThat(new String(answer, 0, Math.min(answer.length, 8), StandardCharsets.ISO_8859_1))
          .as("an HTTP answer").startsWith("HTTP/");
      assertThat(new String(answer, StandardCharsets.ISO_8859_1)).as("no stack trace in an answer")
          .doesNotContain("Exception", "\tat ");
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> backendConnections.get() == 0
        && edge.listener.stats().activeConnections() == 0);
    assertThat(edge.escaped).as("exceptions that reached the event loop's handler").isEmpty();
  }

  /** Writes the input, half-closes, and reads until the listener closes; fails if nothing ends within the bound. */
  private static byte[] send(byte[] input) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (Socket s = new Socket("127.0.0.1", edge.port())) {
      s.setSoTimeout((int) ANSWER_WITHIN.toMillis());
      try {
        s.getOutputStream().write(input);
        s.shutdownOutput();
      } catch (SocketException e) {
        // the listener answered and closed before reading everything: read what it sent
      }
      InputStream in = s.getInputStream();
      byte[] buf = new byte[8192];
      try {
        for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
          out.write(buf, 0, n);
        }
      } catch (SocketTimeoutException e) {
        throw new AssertionError("neither an answer nor a close within " + ANSWER_WITHIN + " for "
            + new String(input, StandardCharsets.ISO_8859_1), e);
      } catch (SocketException e) {
        // reset: a close
      }
    }
    return out.toByteArray();
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
