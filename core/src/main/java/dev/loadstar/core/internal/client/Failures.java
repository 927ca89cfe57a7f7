package dev.loadstar.core.internal.client;

import dev.loadstar.core.RequestOutcome;
import io.vertx.core.http.HttpClosedException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLHandshakeException;

/**
 * Classifies a failed attempt: the {@link RequestOutcome} it stands for and whether it may be retried.
 */
public final class Failures {

  private Failures() {
  }

  /** The outcome a failure stands for. */
  public static RequestOutcome classify(Throwable t) {
    int depth = 0;
    for (Throwable c = t; c != null && depth < 16; c = c.getCause(), depth++) {
      if (c instanceof ConnectException || c instanceof NoRouteToHostException || c instanceof UnknownHostException
          || c instanceof SSLHandshakeException) {
        // nothing reached the application: refused, unreachable, connect timeout, TLS handshake failure
        return RequestOutcome.CONNECT_FAILURE;
      }
      if (c instanceof TimeoutException || c.getClass().getSimpleName().contains("Timeout")) {
        return RequestOutcome.TIMEOUT;
      }
      if (c == c.getCause()) {
        break;
      }
    }
    return RequestOutcome.RESET;
  }

  /** Whether the connection was lost (closed or reset) before a complete response, as opposed to a local error. */
  public static boolean isConnectionLoss(Throwable t) {
    int depth = 0;
    for (Throwable c = t; c != null && depth < 16; c = c.getCause(), depth++) {
      if (c instanceof HttpClosedException || c instanceof ClosedChannelException
          || (c instanceof IOException && !(c instanceof ConnectException))) {
        return true;
      }
      if (c == c.getCause()) {
        break;
      }
    }
    return false;
  }

  /**
   * Whether an attempt that failed this way may be sent again to another target: always when nothing was sent (the
   * connection could not be made), and for idempotent requests also when the connection was lost before a
   * response. Timeouts and local errors are never retried.
   */
  public static boolean retryable(RequestOutcome outcome, Throwable failure, boolean idempotent) {
    if (outcome == RequestOutcome.CONNECT_FAILURE) {
      return true;
    }
    return idempotent && outcome == RequestOutcome.RESET && isConnectionLoss(failure);
  }
}
