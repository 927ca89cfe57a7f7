package dev.loadstar.core;

import dev.loadstar.core.config.Checks;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;

/**
 * What a {@link TargetFunction} answers: a status, headers and a body (ALB's Lambda response: {@code statusCode},
 * {@code headers}, {@code body}).
 *
 * @param statusCode the HTTP status (100-599); 5xx counts as a failed request, as a target's 5xx does
 * @param headers the response headers
 * @param body the response body (empty when none)
 */
public record FunctionResponse(int statusCode, MultiMap headers, Buffer body) {

  /** Checks the fields; null headers or body become empty. */
  public FunctionResponse {
    Checks.range("statusCode", statusCode, 100, 599);
    headers = headers == null ? MultiMap.caseInsensitiveMultiMap() : headers;
    body = body == null ? Buffer.buffer() : body;
  }

  /** A response with a status and no body. */
  public static FunctionResponse of(int statusCode) {
    return new FunctionResponse(statusCode, null, null);
  }

  /** A {@code text/plain; charset=utf-8} response with a status and a body. */
  public static FunctionResponse of(int statusCode, String body) {
    MultiMap h = MultiMap.caseInsensitiveMultiMap().add("content-type", "text/plain; charset=utf-8");
    return new FunctionResponse(statusCode, h, Buffer.buffer(Checks.notNull("body", body)));
  }

  /** A {@code 200} text response. */
  public static FunctionResponse ok(String body) {
    return of(200, body);
  }

  /** The body as a UTF-8 string. */
  public String bodyAsString() {
    return body.toString();
  }
}
