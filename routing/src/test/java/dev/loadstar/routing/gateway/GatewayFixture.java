package dev.loadstar.routing.gateway;

import dev.loadstar.core.Target;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetGroupConfig;
import dev.loadstar.routing.HttpListener;
import dev.loadstar.routing.ListenerConfig;
import dev.loadstar.routing.RuleSet;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.Map;

/** Backends, groups, a listener and a raw client, all on 127.0.0.1 with ports bound to 0. */
final class GatewayFixture implements AutoCloseable {

  /** A response as the test client saw it. */
  record Resp(int status, MultiMap headers, String body) {
  }

  final Vertx vertx = Vertx.vertx();
  final Map<String, TargetGroup> groups = new HashMap<>();
  final HttpClient client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true));
  HttpListener listener;

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

  /** A port on which nothing listens. */
  static int closedPort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
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

  Resp send(HttpMethod method, String uri, MultiMap headers, String body) {
    RequestOptions o = new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(listener.actualPort())
        .setURI(uri).setIdleTimeout(20_000);
    if (headers != null) {
      o.setHeaders(headers);
    }
    return client.request(o)
        .compose(r -> body == null ? r.send() : r.send(body))
        .compose(resp -> resp.body().map(b -> new Resp(resp.statusCode(), resp.headers(), b.toString())))
        .await();
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
  }
}
