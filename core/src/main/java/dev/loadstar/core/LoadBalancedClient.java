package dev.loadstar.core;

import dev.loadstar.core.internal.client.DefaultLoadBalancedClient;
import io.vertx.core.Future;
import dev.loadstar.core.time.TimeSource;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;

/**
 * Sends HTTP requests to target groups over one shared Vert.x {@code WebClient}: selection, stickiness, in-flight
 * and outcome accounting, and retries on another target within a retry budget.
 *
 * <p>A request names its group directly ({@link #request}) or is routed by a {@link RequestRouter} from its
 * absolute URL ({@link #requestAbs}). Every method may be called from any thread; {@code send} never blocks and
 * its future completes on the Vert.x context of the caller (or one Vert.x picks when the caller has none).
 */
public interface LoadBalancedClient {

  /** A client with default options. */
  static LoadBalancedClient create(Vertx vertx) {
    return create(vertx, new LoadBalancedClientOptions());
  }

  /** A client with the given options (copied). */
  static LoadBalancedClient create(Vertx vertx, LoadBalancedClientOptions options) {
    return create(vertx, options, ExchangeListener.Factory.NONE);
  }

  /** A client with the given options (copied) whose requests are reported to the listeners {@code listeners} makes. */
  static LoadBalancedClient create(Vertx vertx, LoadBalancedClientOptions options,
      ExchangeListener.Factory listeners) {
    return create(vertx, options, listeners, TimeSource.system(vertx));
  }

  /** As {@link #create(Vertx, LoadBalancedClientOptions, ExchangeListener.Factory)}, reading time from {@code time}. */
  static LoadBalancedClient create(Vertx vertx, LoadBalancedClientOptions options,
      ExchangeListener.Factory listeners, TimeSource time) {
    return new DefaultLoadBalancedClient(vertx, options, listeners, time);
  }

  /** Makes a target group reachable by its name, replacing a group of the same name; returns this client. */
  LoadBalancedClient addTargetGroup(TargetGroup group);

  /** Makes the named group unreachable; returns it, or {@code null} when there was none. It is not closed. */
  TargetGroup removeTargetGroup(String name);

  /** The target group with this name, or {@code null}. */
  TargetGroup targetGroup(String name);

  /** Sets the router {@link #requestAbs} uses to choose a target group ({@code null} to remove it). */
  LoadBalancedClient router(RequestRouter router);

  /** A request to {@code requestUri} (path and query) on a target of the named group. */
  LoadBalancedRequest request(HttpMethod method, String groupName, String requestUri);

  /**
   * A request to an absolute {@code http} or {@code https} URL whose target group the {@linkplain #router router}
   * chooses at send time from method, host, port, path, query and headers; the URL's host names the service, not
   * a machine, and is sent as the {@code Host} header unless the request sets one. The future fails with
   * {@link LoadBalancerException.Kind#NO_ROUTE} when no group is chosen and
   * {@link LoadBalancerException.Kind#UNKNOWN_GROUP} when the chosen group is not added to this client.
   *
   * @throws IllegalArgumentException when the URL is not an absolute http or https URL
   */
  LoadBalancedRequest requestAbs(HttpMethod method, String absoluteUrl);

  /** A GET request. */
  default LoadBalancedRequest get(String groupName, String requestUri) {
    return request(HttpMethod.GET, groupName, requestUri);
  }

  /** A POST request. */
  default LoadBalancedRequest post(String groupName, String requestUri) {
    return request(HttpMethod.POST, groupName, requestUri);
  }

  /** The attempt engine of this client's requests (its retry policy and budget). */
  AttemptEngine engine();

  /**
   * Closes the shared client and cancels pending retries (their requests fail with
   * {@link LoadBalancerException.Kind#CLOSED}); idempotent. Target groups are not closed.
   */
  Future<Void> close();
}
