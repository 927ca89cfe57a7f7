package dev.loadstar.core;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;

/**
 * A response received through a {@link LoadBalancedClient}, with the target that served it.
 *
 * @param response the HTTP response
 * @param target the target that answered
 * @param attempts how many attempts were sent (1 when the first one succeeded)
 * @param stickyCookieName the name of the balancer's sticky cookie ({@link Stickiness#LB_COOKIE_NAME} or
 *     {@link Stickiness#APP_COOKIE_NAME}), or {@code null} when {@link #stickyCookie} is null
 * @param stickyCookie the sticky cookie value to send with later requests (its expiry renewed by every response,
 *     as ALB does), or {@code null} when stickiness is off or, for {@code app_cookie}, not established
 */
public record LoadBalancedResponse(HttpResponse<Buffer> response, Target target, int attempts,
    String stickyCookieName, String stickyCookie) {

  /** The HTTP status code. */
  public int statusCode() {
    return response.statusCode();
  }

  /** The body as a UTF-8 string, or {@code null} when there is none. */
  public String bodyAsString() {
    return response.bodyAsString();
  }

  /** {@code name=value} of the sticky cookie, ready for a {@code Cookie} request header, or {@code null}. */
  public String stickyCookiePair() {
    return stickyCookie == null ? null : stickyCookieName + "=" + stickyCookie;
  }
}
