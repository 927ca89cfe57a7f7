package dev.loadstar.core;

import dev.loadstar.core.internal.client.DefaultLoadBalancedClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;

/**
 * Sends HTTP requests to target groups by name over one shared Vert.x {@code WebClient}: selection, stickiness,
 * in-flight and outcome accounting, and retries of idempotent requests on another target within a retry budget.
 */
public interface LoadBalancedClient {

  /** A client with default options. */
  static LoadBalancedClient create(Vertx vertx) {
    return create(vertx, new LoadBalancedClientOptions());
  }

  /** A client with the given options. */
  static LoadBalancedClient create(Vertx vertx, LoadBalancedClientOptions options) {
    return new DefaultLoadBalancedClient(vertx, options);
  }

  /** Makes a target group reachable by its name; returns this client. */
  LoadBalancedClient addTargetGroup(TargetGroup group);

  /** The target group with this name, or {@code null}. */
  TargetGroup targetGroup(String name);

  /** A request to {@code requestUri} (path and query) on a target of the named group. */
  LoadBalancedRequest request(HttpMethod method, String groupName, String requestUri);

  /** A GET request. */
  default LoadBalancedRequest get(String groupName, String requestUri) {
    return request(HttpMethod.GET, groupName, requestUri);
  }

  /** A POST request. */
  default LoadBalancedRequest post(String groupName, String requestUri) {
    return request(HttpMethod.POST, groupName, requestUri);
  }

  /** Closes the shared client and stops the retry budget; idempotent. Target groups are not closed. */
  Future<Void> close();
}
