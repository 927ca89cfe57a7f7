package dev.loadstar.core;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;

/**
 * One request through a {@link LoadBalancedClient}, built then sent once.
 *
 * <p>Stickiness: when the group's stickiness is on, the balancer's cookie ({@link Stickiness#LB_COOKIE_NAME} or
 * {@link Stickiness#APP_COOKIE_NAME}) is read from {@link #stickyCookie} or, when that is not set, from the
 * {@code Cookie} headers the caller forwards. A valid cookie naming a target that may take new requests sends the
 * request there; any other cookie is ignored (a fresh pick, and a fresh cookie in the response).
 */
public interface LoadBalancedRequest {

  /** Adds a header. */
  LoadBalancedRequest putHeader(String name, String value);

  /** The headers sent with every attempt. */
  MultiMap headers();

  /**
   * Marks the request as safe to retry on another target after the connection was lost before a response (GET,
   * HEAD, OPTIONS, PUT and DELETE are by default); any request is retried when the connection could not be made.
   */
  LoadBalancedRequest idempotent(boolean idempotent);

  /** Keeps requests with the same key on one target while it can take new requests (for callers without cookies). */
  LoadBalancedRequest sessionKey(String sessionKey);

  /** A sticky cookie value received earlier ({@link LoadBalancedResponse#stickyCookie()}); wins over headers. */
  LoadBalancedRequest stickyCookie(String cookieValue);

  /** Sets the consistent-hashing key (e.g. a user id) for hash-based algorithms. */
  LoadBalancedRequest hashKey(String key);

  /** Overrides the per-attempt idle timeout in milliseconds (1-3600000). */
  LoadBalancedRequest timeout(long timeoutMs);

  /** Sends the request without a body. */
  Future<LoadBalancedResponse> send();

  /** Sends the request with a body (resent as is by a retry). */
  Future<LoadBalancedResponse> send(Buffer body);
}
