package dev.loadstar.core;

import dev.loadstar.core.config.Checks;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;

/**
 * A request handed to a {@link TargetFunction}: what ALB puts in a Lambda target's event, as Vert.x types.
 *
 * @param method the HTTP method
 * @param uri the request URI (path and query, e.g. {@code /orders?id=1})
 * @param headers the request headers as the target would see them (a gateway adds {@code X-Forwarded-*}); the
 *     function owns this copy
 * @param body the request body (empty when there is none)
 */
public record FunctionRequest(HttpMethod method, String uri, MultiMap headers, Buffer body) {

  /** Checks the fields; a null body becomes empty. */
  public FunctionRequest {
    Checks.notNull("method", method);
    Checks.notNull("uri", uri);
    Checks.notNull("headers", headers);
    body = body == null ? Buffer.buffer() : body;
  }

  /** The path: the URI up to {@code ?}. */
  public String path() {
    int q = uri.indexOf('?');
    return q < 0 ? uri : uri.substring(0, q);
  }

  /** The query string without {@code ?}, or {@code null} when there is none. */
  public String query() {
    int q = uri.indexOf('?');
    return q < 0 ? null : uri.substring(q + 1);
  }

  /** The body as a UTF-8 string. */
  public String bodyAsString() {
    return body.toString();
  }
}
