package dev.loadstar.core.internal.client;

import dev.loadstar.core.RequestOutcome;
import io.netty.channel.ConnectTimeoutException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.util.concurrent.TimeoutException;

/**
 * Classifies a failed attempt into a {@link RequestOutcome}.
 */
public final class Failures {

  private Failures() {
  }

  /** The outcome a failure stands for. */
  public static RequestOutcome classify(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof ConnectTimeoutException) {
        return RequestOutcome.CONNECT_FAILURE;
      }
      if (c instanceof ConnectException || c instanceof NoRouteToHostException || c instanceof UnknownHostException) {
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
}
