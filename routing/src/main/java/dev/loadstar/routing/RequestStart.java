package dev.loadstar.routing;

import io.vertx.core.http.HttpServerRequest;

/**
 * Sees each request an {@link HttpListener} receives as it arrives, before routing (e.g. to start a tracing server
 * span), and follows it through the {@link RequestScope} it returns. Called on the listener's event loop: it must
 * not block and should not throw (an exception is logged and ignored).
 */
@FunctionalInterface
public interface RequestStart {

  /** A request arrived; returns what to tell about it later, or null to follow it no further. */
  RequestScope started(HttpServerRequest request);
}
