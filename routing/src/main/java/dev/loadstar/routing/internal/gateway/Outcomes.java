package dev.loadstar.routing.internal.gateway;

import dev.loadstar.core.RequestOutcome;
import io.netty.channel.ConnectTimeoutException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.util.concurrent.TimeoutException;

/** Classifies failures of forwarded requests. */
final class Outcomes {

  private Outcomes() {
  }

  /** Whether connecting to the target timed out. */
  static boolean isConnectTimeout(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof ConnectTimeoutException) {
        return true;
      }
    }
    return false;
  }

  /** The outcome of a failure to obtain a connection to the target. */
  static RequestOutcome connectFailure(Throwable t) {
    return RequestOutcome.CONNECT_FAILURE;
  }

  /** Whether the failure is a connection-level failure (refused, unreachable, connect timeout). */
  static boolean isConnectFailure(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof ConnectException || c instanceof NoRouteToHostException || c instanceof UnknownHostException) {
        return true;
      }
    }
    return false;
  }

  /** The outcome of a failure after the request was sent: a timeout or a reset/malformed response. */
  static RequestOutcome afterSend(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof TimeoutException || c.getClass().getSimpleName().contains("Timeout")) {
        return RequestOutcome.TIMEOUT;
      }
    }
    return RequestOutcome.RESET;
  }
}
