package dev.loadstar.core;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;

/**
 * A response received through a {@link LoadBalancedClient}, with the target that served it.
 *
 * @param response the HTTP response
 * @param target the target that answered
 * @param attempts how many attempts were sent (1 when the first one succeeded)
 * @param stickyCookie the sticky cookie value to send with later requests, or {@code null} when stickiness is off
 */
public record LoadBalancedResponse(HttpResponse<Buffer> response, Target target, int attempts, String stickyCookie) {

  /** The HTTP status code. */
  public int statusCode() {
    return response.statusCode();
  }

  /** The body as a UTF-8 string, or {@code null} when there is none. */
  public String bodyAsString() {
    return response.bodyAsString();
  }
}
