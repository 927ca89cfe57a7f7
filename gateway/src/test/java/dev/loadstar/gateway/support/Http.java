package dev.loadstar.gateway.support;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;

/** A small blocking HTTP client for tests (called from the JUnit thread, never an event loop). */
public final class Http implements AutoCloseable {

  /**
   * A response as the test saw it.
   *
   * @param status the status code
   * @param headers the headers
   * @param body the body
   */
  public record Resp(int status, MultiMap headers, String body) {
    /** The body as a JSON object. */
    public JsonObject json() {
      return new JsonObject(body);
    }
  }

  private final HttpClient client;

  /** A client with one pooled connection per address (so connection counts are exact). */
  public Http(Vertx vertx) {
    this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(1));
  }

  /** Sends a request to 127.0.0.1:port. */
  public Resp send(HttpMethod method, int port, String uri, MultiMap headers, String body) {
    RequestOptions o = new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(port).setURI(uri)
        .setConnectTimeout(10_000).setIdleTimeout(10_000);
    if (headers != null) {
      o.setHeaders(headers);
    }
    // the body is asked for in the callback that receives the response (on the event loop): a stage chained from
    // this thread after the response has fully arrived never completes in Vert.x 5.0.7 (see docs/architecture.md)
    return client.request(o)
        .compose(r -> (body == null ? r.send() : r.send(body))
            .compose(resp -> resp.body().map(b -> new Resp(resp.statusCode(), resp.headers(), b.toString()))))
        .timeout(30, TimeUnit.SECONDS)
        .await();
  }

  /** A GET. */
  public Resp get(int port, String uri) {
    return send(HttpMethod.GET, port, uri, null, null);
  }

  /** A GET with headers. */
  public Resp get(int port, String uri, MultiMap headers) {
    return send(HttpMethod.GET, port, uri, headers, null);
  }

  /** Headers from name/value pairs. */
  public static MultiMap headers(String... kv) {
    MultiMap m = MultiMap.caseInsensitiveMultiMap();
    for (int i = 0; i < kv.length; i += 2) {
      m.add(kv[i], kv[i + 1]);
    }
    return m;
  }

  /** The underlying client. */
  public HttpClient client() {
    return client;
  }

  @Override
  public void close() {
    client.close().await();
  }
}
