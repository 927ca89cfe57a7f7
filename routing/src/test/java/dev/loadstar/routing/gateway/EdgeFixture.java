package dev.loadstar.routing.gateway;

import dev.loadstar.routing.Action;
import dev.loadstar.routing.Condition;
import dev.loadstar.routing.HttpListener;
import dev.loadstar.routing.ListenerConfig;
import dev.loadstar.routing.Rule;
import dev.loadstar.routing.RuleSet;
import io.vertx.core.http.HttpServer;
import java.io.IOException;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A listener in front of one recording backend, with the rule {@code /admin*} answered 403 by the listener, and a
 * Vert.x exception handler that records whatever escapes to it; raw HTTP/1 and HTTP/2 clients.
 */
final class EdgeFixture implements AutoCloseable {

  /** A request as the backend received it. */
  record Seen(String method, String uri, io.vertx.core.MultiMap headers, String body) {
  }

  final GatewayFixture f = new GatewayFixture();
  final Queue<Seen> seen = new ConcurrentLinkedQueue<>();
  final List<Throwable> escaped = new CopyOnWriteArrayList<>();
  final HttpServer backend;
  HttpListener listener;

  EdgeFixture() {
    f.vertx.exceptionHandler(escaped::add);
    backend = f.vertx.createHttpServer().requestHandler(req -> req.body().onComplete(b -> {
      seen.add(new Seen(req.method().name(), req.uri(), io.vertx.core.MultiMap.caseInsensitiveMultiMap()
          .addAll(req.headers()), b.succeeded() ? b.result().toString() : "<failed>"));
      req.response().putHeader("x-backend", "yes").end("backend saw " + req.uri());
    })).listen(0, "127.0.0.1").await();
    f.group("web", backend.actualPort());
  }

  /** The default rules: {@code /admin*} answered 403 by the listener, everything else to the backend. */
  static RuleSet adminDenied() {
    return RuleSet.builder()
        .rule(Rule.named("deny-admin", 1, Action.fixedResponse(403, "text/plain", "denied"),
            Condition.pathPattern("/admin*")))
        .defaultAction(Action.forward("web")).build();
  }

  EdgeFixture start(ListenerConfig.Builder config) {
    return start(HttpListener.builder(f.vertx).rules(adminDenied()), config);
  }

  EdgeFixture start(HttpListener.Builder builder, ListenerConfig.Builder config) {
    listener = f.start(builder, config);
    return this;
  }

  int port() {
    return listener.actualPort();
  }

  RawHttp raw() throws IOException {
    return new RawHttp(port());
  }

  RawH2 h2() throws IOException {
    return new RawH2(port());
  }

  /** Sends one raw request on a new connection and reads the response. */
  RawHttp.Response exchange(String request) throws IOException {
    try (RawHttp c = raw()) {
      return c.exchange(request);
    }
  }

  @Override
  public void close() {
    f.close();
  }
}
