package dev.loadstar.core.internal.client;

import dev.loadstar.core.FunctionResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonArray;
import io.vertx.ext.web.client.HttpResponse;
import java.util.List;

/** A function target's answer seen as a web client response, so a client caller cannot tell the kinds apart. */
final class FunctionHttpResponse implements HttpResponse<Buffer> {

  private final FunctionResponse response;

  FunctionHttpResponse(FunctionResponse response) {
    this.response = response;
  }

  @Override
  public HttpVersion version() {
    return HttpVersion.HTTP_1_1;
  }

  @Override
  public int statusCode() {
    return response.statusCode();
  }

  @Override
  public String statusMessage() {
    return HttpResponseStatus.valueOf(response.statusCode()).reasonPhrase();
  }

  @Override
  public MultiMap headers() {
    return response.headers();
  }

  @Override
  public String getHeader(String headerName) {
    return response.headers().get(headerName);
  }

  @Override
  public String getHeader(CharSequence headerName) {
    return response.headers().get(headerName);
  }

  @Override
  public List<String> cookies() {
    return response.headers().getAll(HttpHeaders.SET_COOKIE);
  }

  @Override
  public MultiMap trailers() {
    return MultiMap.caseInsensitiveMultiMap();
  }

  @Override
  public String getTrailer(String trailerName) {
    return null;
  }

  @Override
  public Buffer body() {
    return response.body();
  }

  @Override
  public Buffer bodyAsBuffer() {
    return response.body();
  }

  @Override
  public List<String> followedRedirects() {
    return List.of();
  }

  @Override
  public JsonArray bodyAsJsonArray() {
    return response.body().length() == 0 ? null : new JsonArray(response.body());
  }
}
