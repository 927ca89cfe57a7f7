package dev.loadstar.core.internal.client;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonArray;
import io.vertx.ext.web.client.HttpResponse;
import java.util.List;

/**
 * A response read whole, as the client hands it to its caller: from a target over HTTP, or a function target's
 * answer, behind one web-client {@link HttpResponse} type so a caller cannot tell the kinds apart.
 */
final class BufferedHttpResponse implements HttpResponse<Buffer> {

  private final HttpVersion version;
  private final int status;
  private final String message;
  private final MultiMap headers;
  private final MultiMap trailers;
  private final Buffer body;

  private BufferedHttpResponse(HttpVersion version, int status, String message, MultiMap headers, MultiMap trailers,
      Buffer body) {
    this.version = version;
    this.status = status;
    this.message = message;
    this.headers = headers;
    this.trailers = trailers;
    this.body = body;
  }

  /** A target's response with its body read. */
  static BufferedHttpResponse of(HttpClientResponse response, Buffer body) {
    return new BufferedHttpResponse(response.version(), response.statusCode(), response.statusMessage(),
        response.headers(), response.trailers(), body);
  }

  /** A function target's answer. */
  static BufferedHttpResponse of(dev.loadstar.core.FunctionResponse response) {
    return new BufferedHttpResponse(HttpVersion.HTTP_1_1, response.statusCode(),
        HttpResponseStatus.valueOf(response.statusCode()).reasonPhrase(), response.headers(),
        MultiMap.caseInsensitiveMultiMap(), response.body());
  }

  @Override
  public HttpVersion version() {
    return version;
  }

  @Override
  public int statusCode() {
    return status;
  }

  @Override
  public String statusMessage() {
    return message;
  }

  @Override
  public MultiMap headers() {
    return headers;
  }

  @Override
  public String getHeader(String headerName) {
    return headers.get(headerName);
  }

  @Override
  public String getHeader(CharSequence headerName) {
    return headers.get(headerName);
  }

  @Override
  public List<String> cookies() {
    return headers.getAll(HttpHeaders.SET_COOKIE);
  }

  @Override
  public MultiMap trailers() {
    return trailers;
  }

  @Override
  public String getTrailer(String trailerName) {
    return trailers.get(trailerName);
  }

  @Override
  public Buffer body() {
    return body;
  }

  @Override
  public Buffer bodyAsBuffer() {
    return body;
  }

  @Override
  public List<String> followedRedirects() {
    return List.of();
  }

  @Override
  public JsonArray bodyAsJsonArray() {
    return body == null || body.length() == 0 ? null : new JsonArray(body);
  }
}
