package dev.loadstar.routing;

import java.time.Instant;
import java.util.List;

/**
 * One request as the listener handled it, with the fields of ALB's access log entry (in ALB's order). Times are
 * nanoseconds ({@code -1} where ALB logs {@code -1}: the step did not happen); absent strings are {@code null} (ALB's
 * {@code -}).
 */
public interface RequestRecord {

  /** {@code http}, {@code https}, {@code h2}, {@code grpcs}, {@code ws} or {@code wss}. */
  String type();

  /** When the response was sent (or the client went away). */
  Instant time();

  /** The listener's name. */
  String listener();

  /** The client's IP address. */
  String clientIp();

  /** The client's port. */
  int clientPort();

  /** {@code ip:port} of the target that served the last attempt, or null when no target was tried. */
  String target();

  /** From the request's arrival until it was sent to the (last) target; -1 when it was not sent. */
  long requestProcessingNanos();

  /** From sending to the target until its response head arrived; -1 when none arrived. */
  long targetProcessingNanos();

  /** From the target's response head until the response was sent to the client; -1 when there was none. */
  long responseProcessingNanos();

  /** The status sent to the client (the target's, relayed, or the listener's own); 0 when nothing was sent. */
  int statusCode();

  /** The last target's status; 0 when none answered. */
  int targetStatusCode();

  /** Bytes received from the client (request line, headers and body). */
  long receivedBytes();

  /** Bytes of response body sent to the client. */
  long sentBytes();

  /** The request method. */
  String method();

  /** {@code scheme://host:port/path?query}, as ALB logs it. */
  String url();

  /** {@code HTTP/1.1}, {@code HTTP/2.0}, {@code HTTP/1.0}. */
  String protocolVersion();

  /** The {@code User-Agent} header, or null. */
  String userAgent();

  /** The negotiated TLS cipher suite, or null. */
  String sslCipher();

  /** The negotiated TLS protocol, or null. */
  String sslProtocol();

  /** The target group forwarded to, or null. */
  String targetGroup();

  /** The {@code X-Amzn-Trace-Id} value sent to the target (or received, when not forwarded), or null. */
  String traceId();

  /** The SNI host name the client asked for, or null. */
  String domainName();

  /** The certificate chosen for the TLS handshake (its name), or null. */
  String chosenCertificate();

  /** The matched rule's priority: 0 for the default rule, -1 when no rule was evaluated. */
  int matchedRulePriority();

  /** When the first byte of the request arrived. */
  Instant requestCreationTime();

  /** What the listener did, in order: {@code forward}, {@code redirect}, {@code fixed-response}, ... */
  List<String> actionsExecuted();

  /** The {@code Location} of a redirect, or null. */
  String redirectUrl();

  /** Why the listener answered with its own error (ALB's {@code error_reason}), or null. */
  String errorReason();

  /** {@code ip:port} of every target tried, in order. */
  List<String> targets();

  /** The status of every target tried, in order (0 where a target gave no response). */
  List<Integer> targetStatusCodes();

  /** The request's desync classification ({@code Compliant}, {@code Acceptable}, {@code Ambiguous}, {@code Severe}), or null. */
  String classification();

  /** Why the request was classified so, or null. */
  String classificationReason();

  /** An id of the client connection, shared by its requests. */
  String connectionTraceId();
}
