package dev.loadstar.routing;

import io.vertx.core.MultiMap;

/**
 * What an {@link InspectionHook} sees of a request about to be forwarded.
 */
public interface InspectionContext {

  /** The request method. */
  String method();

  /**
   * The request target as it will be forwarded: origin-form, the path normalised (see docs/architecture.md, "Request
   * validation and desync mitigation") and the query as received.
   */
  String uri();

  /** The peer's IP address. */
  String remoteAddress();

  /** The headers that will be forwarded, including the gateway's X-Forwarded-* and trace headers; mutable. */
  MultiMap headers();

  /** The rule that chose the forward action. */
  Rule rule();

  /** The target group the request goes to. */
  String targetGroup();

  /** Whether the request is a WebSocket upgrade. */
  boolean isWebSocket();

  /** The request's desync classification (ALB's HTTP Desync Guardian classes). */
  default RequestClassification classification() {
    return RequestClassification.COMPLIANT;
  }

  /** Why the request is not compliant, or null when it is. */
  default ClassificationReason classificationReason() {
    return null;
  }
}
