package dev.loadstar.core;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Real Vert.x HTTP backends on 127.0.0.1 (ports bound to 0 and read back) for client tests: each answers with
 * its name, counts what it receives, and can hold responses until released.
 */
final class Backends {

  private final Vertx vertx;
  private final Map<String, Backend> byName = new ConcurrentHashMap<>();
  private final List<Backend> all = new ArrayList<>();

  Backends(Vertx vertx) {
    this.vertx = vertx;
  }

  /** One backend server. */
  static final class Backend {
    final String name;
    HttpServer server;
    int port;
    final AtomicInteger received = new AtomicInteger();
    final Queue<HttpServerRequest> requests = new ConcurrentLinkedQueue<>();
    final Queue<Promise<Void>> held = new ConcurrentLinkedQueue<>();
    volatile boolean hold;
    volatile Consumer<HttpServerRequest> handler;

    Backend(String name) {
      this.name = name;
    }

    /** Releases every held response. */
    void releaseAll() {
      Promise<Void> p;
      while ((p = held.poll()) != null) {
        p.tryComplete();
      }
    }

    /** A target pointing at this backend with the given id. */
    Target target(String id) {
      return Target.of(id, "127.0.0.1", port);
    }

    /** A target whose id is the backend's name. */
    Target target() {
      return target(name);
    }
  }

  /** Starts a backend that answers 200 with its name as the body. */
  Backend start(String name) {
    Backend b = new Backend(name);
    b.server = vertx.createHttpServer().requestHandler(req -> {
      b.received.incrementAndGet();
      Consumer<HttpServerRequest> h = b.handler;
      if (h != null) {
        h.accept(req);
        return;
      }
      if (b.hold) {
        Promise<Void> p = Promise.promise();
        b.held.add(p);
        p.future().onComplete(v -> req.response().end(b.name));
        return;
      }
      req.response().end(b.name);
    }).listen(0, "127.0.0.1").await();
    b.port = b.server.actualPort();
    byName.put(name, b);
    all.add(b);
    return b;
  }

  Backend get(String name) {
    return byName.get(name);
  }
}
