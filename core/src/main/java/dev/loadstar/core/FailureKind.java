package dev.loadstar.core;

import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.StreamResetException;
import java.io.IOException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;

/**
 * Why an attempt failed, read from the exception's type and the phase it failed in: the one classifier of the
 * client, the listeners and the health checker. Each kind says what it counts as on the target
 * ({@link #outcome()}) and whether the request can have reached the application ({@link #nothingSent()}).
 */
public enum FailureKind {
  /** The connection was refused, or could not be made for another reason, before anything was sent. */
  CONNECT_REFUSED(RequestOutcome.CONNECT_FAILURE, true, "connection refused"),
  /** Connecting (or waiting for a pooled connection) took longer than the connect timeout. */
  CONNECT_TIMEOUT(RequestOutcome.CONNECT_FAILURE, true, "connect timed out"),
  /** The host name did not resolve, or no route leads to the host. */
  UNREACHABLE(RequestOutcome.CONNECT_FAILURE, true, "host unreachable"),
  /** The TLS handshake with the target failed. */
  TLS_HANDSHAKE(RequestOutcome.CONNECT_FAILURE, true, "TLS handshake failed"),
  /** A balancer target had nothing to hand the request to (a nested group without targets, a stopped listener). */
  NESTED_UNAVAILABLE(RequestOutcome.CONNECT_FAILURE, true, "nested balancer unavailable"),
  /** The connection was closed or reset after the request was sent, before a complete response. */
  CONNECTION_LOST(RequestOutcome.RESET, false, "connection closed before a complete response"),
  /** The target's stream was reset (HTTP/2 {@code RST_STREAM}). */
  STREAM_RESET(RequestOutcome.RESET, false, "stream reset"),
  /** No response data within the idle timeout. */
  TIMEOUT(RequestOutcome.TIMEOUT, false, "request timed out"),
  /** A function target's handler failed (threw, answered nothing, failed its future). */
  FUNCTION_ERROR(RequestOutcome.RESET, false, "function failed"),
  /** The target's response could not be read (malformed, or its head too large). */
  MALFORMED_RESPONSE(RequestOutcome.RESET, false, "malformed response"),
  /** The target left the group when its deregistration delay elapsed with the request in flight. */
  DEREGISTERED(RequestOutcome.RESET, false, "deregistration delay elapsed"),
  /** Anything else after the request was sent. */
  OTHER(RequestOutcome.RESET, false, "request failed");

  private final RequestOutcome outcome;
  private final boolean nothingSent;
  private final String description;

  FailureKind(RequestOutcome outcome, boolean nothingSent, String description) {
    this.outcome = outcome;
    this.nothingSent = nothingSent;
    this.description = description;
  }

  /** What the failure counts as on the target. */
  public RequestOutcome outcome() {
    return outcome;
  }

  /** Whether the request cannot have reached the application: any method may go to another target. */
  public boolean nothingSent() {
    return nothingSent;
  }

  /** Whether the connection was lost after sending (a reset or close): an idempotent request may go elsewhere. */
  public boolean connectionLost() {
    return this == CONNECTION_LOST || this == STREAM_RESET || this == FUNCTION_ERROR;
  }

  /** A short description ({@code connection refused}), as health-check reasons show it. */
  public String description() {
    return description;
  }

  /**
   * Classifies a failure. {@code connected} says whether the attempt had a connection (or a stream) to the target
   * when it failed: before that, every failure is a connection failure and nothing was sent; after it, the type of
   * the exception or of one of its causes decides.
   */
  public static FailureKind classify(Throwable failure, boolean connected) {
    if (!connected) {
      for (Throwable c = failure; c != null; c = next(c)) {
        if (c instanceof ConnectTimeoutException || c instanceof TimeoutException) {
          return CONNECT_TIMEOUT;
        }
        if (c instanceof UnknownHostException || c instanceof NoRouteToHostException) {
          return UNREACHABLE;
        }
        if (c instanceof SSLException) {
          return TLS_HANDSHAKE;
        }
      }
      return CONNECT_REFUSED;
    }
    for (Throwable c = failure; c != null; c = next(c)) {
      if (c instanceof TimeoutException || c instanceof io.netty.handler.timeout.TimeoutException) {
        return TIMEOUT;
      }
      if (c instanceof FunctionFailedException) {
        return FUNCTION_ERROR;
      }
      if (c instanceof DeregistrationDelayElapsedException) {
        return DEREGISTERED;
      }
      if (c instanceof StreamResetException) {
        return STREAM_RESET;
      }
      if (c instanceof io.netty.handler.codec.DecoderException || c instanceof io.netty.handler.codec.TooLongFrameException) {
        return MALFORMED_RESPONSE;
      }
      if (c instanceof HttpClosedException || c instanceof ClosedChannelException || c instanceof IOException) {
        return CONNECTION_LOST;
      }
    }
    return OTHER;
  }

  /**
   * Classifies a failure whose phase is unknown (an adapter that sees only the exception): a connection-phase type
   * ({@link java.net.ConnectException}, Netty's connect timeout, an unknown host, no route, a TLS handshake failure)
   * anywhere in the chain means nothing was sent; anything else is classified as after the request was sent.
   */
  public static FailureKind classify(Throwable failure) {
    for (Throwable c = failure; c != null; c = next(c)) {
      if (c instanceof java.net.ConnectException || c instanceof UnknownHostException
          || c instanceof NoRouteToHostException || c instanceof javax.net.ssl.SSLHandshakeException) {
        return classify(failure, false);
      }
    }
    return classify(failure, true);
  }

  private static Throwable next(Throwable c) {
    Throwable n = c.getCause();
    return n == c ? null : n;
  }
}
