package dev.loadstar.routing;

import dev.loadstar.core.Exchange;
import io.vertx.core.MultiMap;

/**
 * One request as a {@link RequestStart} follows it: told when it is forwarded and when it ended. Called on the
 * listener's event loop: must not block, should not throw.
 */
public interface RequestScope {

  /**
   * The request is about to be forwarded through {@code exchange} (made, no attempt started yet) with
   * {@code headers}, the headers every attempt sends (mutable: e.g. a {@code traceparent} naming a server span).
   */
  default void forwarding(Exchange exchange, MultiMap headers) {
  }

  /**
   * The response was sent, or the client went away: what ALB's access log holds of it. The record is valid during
   * the call only.
   */
  default void ended(RequestRecord record) {
  }
}
