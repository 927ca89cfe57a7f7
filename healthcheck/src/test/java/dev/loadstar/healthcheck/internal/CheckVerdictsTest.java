package dev.loadstar.healthcheck.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loadstar.core.TargetHealth;
import dev.loadstar.core.TargetHealth.Reason;
import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.StreamResetException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/** A failed check's reason comes from core's typed classification, never from exception messages or names. */
class CheckVerdictsTest {

  private static TargetHealth failed(String detail) {
    return TargetHealth.unhealthy(Reason.TARGET_FAILED_HEALTH_CHECKS, "Health checks failed: " + detail);
  }

  @Test
  void failuresWhileConnectingAreConnectionFailuresOrTimeouts() {
    assertThat(CheckVerdicts.classify(new ConnectException("Connection refused"), false))
        .isEqualTo(failed("connection refused"));
    assertThat(CheckVerdicts.classify(new ConnectTimeoutException("connect timed out"), false))
        .isEqualTo(TargetHealth.unhealthy(Reason.TARGET_TIMEOUT, "Request timed out"));
    assertThat(CheckVerdicts.classify(new UnknownHostException("nowhere.invalid"), false))
        .isEqualTo(failed("host unreachable"));
    assertThat(CheckVerdicts.classify(new IOException("wrapped", new SSLHandshakeException("bad")), false))
        .isEqualTo(failed("TLS handshake failed"));
    // nothing about a failure before the connection is an answer from the target, whatever its type
    assertThat(CheckVerdicts.classify(new IllegalStateException("Client is closed"), false))
        .isEqualTo(failed("connection refused"));
  }

  @Test
  void failuresAfterConnectingAreDecidedByTheExceptionType() {
    assertThat(CheckVerdicts.classify(new HttpClosedException("Connection was closed"), true))
        .isEqualTo(failed("connection closed before a complete response"));
    assertThat(CheckVerdicts.classify(new IOException("Connection reset by peer"), true))
        .isEqualTo(failed("connection closed before a complete response"));
    assertThat(CheckVerdicts.classify(new StreamResetException(8), true))
        .isEqualTo(failed("stream reset"));
    assertThat(CheckVerdicts.classify(new TimeoutException("idle"), true))
        .isEqualTo(TargetHealth.unhealthy(Reason.TARGET_TIMEOUT, "Request timed out"));
  }

  @Test
  void messagesAndClassNamesDecideNothing() {
    // a message that reads like a closed connection or a reset, on a type that is neither
    assertThat(CheckVerdicts.classify(new IllegalStateException("Connection was closed"), true))
        .isEqualTo(failed("request failed"));
    assertThat(CheckVerdicts.classify(new RuntimeException("connection reset"), true))
        .isEqualTo(failed("request failed"));
    // and the description never repeats the exception's class or message
    assertThat(CheckVerdicts.classify(new UnsupportedOperationException("secret detail"), true).description())
        .isEqualTo("Health checks failed: request failed");
  }
}
