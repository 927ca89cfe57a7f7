package dev.loadstar.routing.gateway;

import dev.loadstar.core.Target;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetGroupConfig;
import dev.loadstar.routing.HttpListener;
import dev.loadstar.routing.ListenerConfig;
import dev.loadstar.routing.RuleSet;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/** Backends, groups, a listener and a raw client, all on 127.0.0.1 with ports bound to 0. */
final class GatewayFixture implements AutoCloseable {

  /** How long {@link #send} waits for a complete response before it fails the test. */
  static final Duration RESPONSE_TIMEOUT = Duration.ofSeconds(30);

  /** A response as the test client saw it. */
  record Resp(int status, MultiMap headers, String body, HttpVersion version) {
  }

  final Vertx vertx = Vertx.vertx();
  final Map<String, TargetGroup> groups = new HashMap<>();
  final HttpClient client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true));
  HttpListener listener;
  private final List<Socket> refusing = new CopyOnWriteArrayList<>();

  /** A backend answering with its id and echoing selected request headers as response headers. */
  int backend(String id) {
    HttpServer s = vertx.createHttpServer().requestHandler(req -> {
      req.body().onSuccess(body -> req.response()
          .putHeader("x-instance", id)
          .putHeader("x-seen-xff", String.valueOf(req.getHeader("x-forwarded-for")))
          .end(id));
    }).listen(0, "127.0.0.1").await();
    return s.actualPort();
  }

  /** A backend answering with the request headers it got, as a JSON object of lower-case names. */
  int headerEchoBackend() {
    HttpServer s = vertx.createHttpServer().requestHandler(req -> {
      io.vertx.core.json.JsonObject seen = new io.vertx.core.json.JsonObject();
      req.headers().forEach(h -> seen.put(h.getKey().toLowerCase(java.util.Locale.ROOT), h.getValue()));
      req.response().putHeader("content-type", "application/json").end(seen.encode());
    }).listen(0, "127.0.0.1").await();
    return s.actualPort();
  }

  /**
   * A port on 127.0.0.1 that refuses connections until {@link #close}: a socket is bound to it and never listens.
   * A port bound and released again (a closed server's) is free for any process on the machine to take, so it may
   * accept by the time a test connects to it.
   */
  int refusingPort() {
    Socket s = new Socket();
    try {
      s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    refusing.add(s);
    return s.getLocalPort();
  }

  TargetGroup group(String name, TargetGroupConfig.Builder config, int... ports) {
    TargetGroup g = TargetGroup.create(vertx, config.build());
    for (int i = 0; i < ports.length; i++) {
      g.register(Target.of(name + "-" + i, "127.0.0.1", ports[i]));
    }
    groups.put(name, g);
    return g;
  }

  TargetGroup group(String name, int... ports) {
    return group(name, TargetGroupConfig.builder(name), ports);
  }

  HttpListener start(RuleSet rules, ListenerConfig.Builder config) {
    listener = HttpListener.builder(vertx).config(config.host("127.0.0.1").port(0).build()).rules(rules)
        .targetGroups(groups::get).build();
    listener.start().await();
    return listener;
  }

  HttpListener start(HttpListener.Builder builder, ListenerConfig.Builder config) {
    listener = builder.config(config.host("127.0.0.1").port(0).build()).targetGroups(groups::get).build();
    listener.start().await();
    return listener;
  }

  /** Sends a request through the listener and waits for the whole response (at most {@link #RESPONSE_TIMEOUT}). */
  Resp send(HttpMethod method, String uri, MultiMap headers, String body) {
    return sendAsync(method, uri, headers, body).await();
  }

  /** Sends a request through the listener; the future fails if the response is not complete in time. */
  Future<Resp> sendAsync(HttpMethod method, String uri, MultiMap headers, String body) {
    RequestOptions o = new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(listener.actualPort())
        .setURI(uri).setIdleTimeout(20_000);
    if (headers != null) {
      o.setHeaders(headers);
    }
    return exchange(client, o, r -> body == null ? r.send() : r.send(body));
  }

  /**
   * Sends with {@code send} and reads the whole response, failing with an {@link AssertionError} when nothing
   * complete arrives within {@link #RESPONSE_TIMEOUT}, so a request the gateway never answers fails the test
   * instead of hanging it.
   *
   * <p>The body is asked for inside the callback that receives the response, never in a stage chained later by
   * the calling thread: {@code client.request(o).compose(r -> r.send()).compose(resp -> resp.body())} built on the
   * JUnit thread races the event loop. If that thread is descheduled until the response has fully arrived (a
   * loaded machine), the last stage is added to an already completed future and runs in a later event-loop task,
   * after the response's data and end were delivered to no handler; Vert.x 5.0.7 then never completes
   * {@code body()} (eclipse-vertx/vert.x #5904, #6038), and the pooled connection is reused, so no timeout ends
   * the wait. Later Vert.x versions complete it, but without the bytes already dropped.
   */
  static Future<Resp> exchange(HttpClient client, RequestOptions options,
      Function<HttpClientRequest, Future<HttpClientResponse>> send) {
    return exchange(client, options, send, RESPONSE_TIMEOUT);
  }

  /** {@link #exchange(HttpClient, RequestOptions, Function)} with another time limit (a long upload). */
  static Future<Resp> exchange(HttpClient client, RequestOptions options,
      Function<HttpClientRequest, Future<HttpClientResponse>> send, Duration timeout) {
    String what = options.getMethod() + " " + options.getURI();
    return client.request(options)
        .compose(r -> send.apply(r).compose(resp -> resp.body()
            .map(b -> new Resp(resp.statusCode(), resp.headers(), b.toString(), resp.version()))))
        .timeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .recover(e -> Future.failedFuture(e instanceof TimeoutException
            ? new AssertionError("no complete response to " + what + " within " + timeout, e)
            : e));
  }

  Resp get(String uri) {
    return send(HttpMethod.GET, uri, null, null);
  }

  Resp get(String uri, MultiMap headers) {
    return send(HttpMethod.GET, uri, headers, null);
  }

  static MultiMap headers(String... kv) {
    MultiMap m = MultiMap.caseInsensitiveMultiMap();
    for (int i = 0; i < kv.length; i += 2) {
      m.add(kv[i], kv[i + 1]);
    }
    return m;
  }

  @Override
  public void close() {
    client.close().await();
    if (listener != null) {
      listener.close().await();
    }
    vertx.close().await();
    for (Socket s : refusing) {
      try {
        s.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
