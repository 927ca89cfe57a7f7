package dev.loadstar.core;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;

/**
 * Chooses the target group for an outbound request from its method, host, port, path, query and headers:
 * client-side routing. The {@code routing} module implements it with compiled listener rules.
 *
 * <p>Implementations are thread-safe and do not block.
 */
@FunctionalInterface
public interface RequestRouter {

  /**
   * The name of the target group the request goes to, or {@code null} when no rule matches.
   *
   * @param method the request method
   * @param host the host (without port), lower case
   * @param port the port of the request URL (80 or 443 when the URL names none)
   * @param path the path, without the query string
   * @param query the raw query string without {@code ?}, or {@code null}
   * @param headers the request headers
   */
  String route(HttpMethod method, String host, int port, String path, String query, MultiMap headers);
}
