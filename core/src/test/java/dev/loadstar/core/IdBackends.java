package dev.loadstar.core;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Real HTTP backends on 127.0.0.1 (port 0, read back) for tests that balance through the client: each answers
 * with its id, after an optional fixed delay, with a status the test can change.
 */
final class IdBackends {

  private final Vertx vertx;
  private final List<HttpServer> servers = new ArrayList<>();

  IdBackends(Vertx vertx) {
    this.vertx = vertx;
  }

  /** One backend's knobs. */
  static final class Backend {
    final String id;
    final AtomicInteger status = new AtomicInteger(200);
    final AtomicInteger served = new AtomicInteger();
    volatile long delayMs;
    int port;

    Backend(String id) {
      this.id = id;
    }

    Target target() {
      return Target.of(id, "127.0.0.1", port);
    }

    Target target(int weight) {
      return Target.builder(id, "127.0.0.1", port).weight(weight).build();
    }
  }

  /** Starts a backend that answers at once with 200. */
  Backend start(String id) {
    Backend b = new Backend(id);
    HttpServer server = vertx.createHttpServer()
        .requestHandler(req -> {
          b.served.incrementAndGet();
          long delay = b.delayMs;
          if (delay > 0) {
            vertx.setTimer(delay, t -> req.response().setStatusCode(b.status.get()).end(b.id));
          } else {
            req.response().setStatusCode(b.status.get()).end(b.id);
          }
        })
        .listen(0, "127.0.0.1").await();
    servers.add(server);
    b.port = server.actualPort();
    return b;
  }
}
