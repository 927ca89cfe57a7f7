package dev.loadstar.core;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;

/**
 * One request through a {@link LoadBalancedClient}, built then sent once.
 */
public interface LoadBalancedRequest {

  /** Adds a header. */
  LoadBalancedRequest putHeader(String name, String value);

  /** The headers sent with every attempt. */
  MultiMap headers();

  /**
   * Marks the request as safe to retry on another target after any failure before a response (GET, HEAD, OPTIONS,
   * PUT and DELETE are by default; a non-idempotent request is retried only when the connection was refused).
   */
  LoadBalancedRequest idempotent(boolean idempotent);

  /** Keeps requests with the same key on one target while it stays healthy. */
  LoadBalancedRequest sessionKey(String sessionKey);

  /** A sticky cookie value received earlier (from {@link LoadBalancedResponse#stickyCookie()}). */
  LoadBalancedRequest stickyCookie(String cookieValue);

  /** Sets the consistent-hashing key (e.g. a user id) for hash-based algorithms. */
  LoadBalancedRequest hashKey(String key);

  /** Overrides the per-attempt response timeout in milliseconds. */
  LoadBalancedRequest timeout(long timeoutMs);

  /** Sends the request without a body. */
  Future<LoadBalancedResponse> send();

  /** Sends the request with a body. */
  Future<LoadBalancedResponse> send(Buffer body);
}
