package dev.loadstar.gateway.support;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;

/**
 * A backend on 127.0.0.1 that answers every path at once ({@code ok}, health checks included) except {@code /slow},
 * which it holds until {@link #release()} and then answers {@code slow done}: a request in flight on demand.
 */
public final class HoldingBackend {

  private final Promise<Void> release = Promise.promise();
  private final Promise<Void> arrived = Promise.promise();
  private final int port;

  /** Starts the backend on a free port. */
  public HoldingBackend(Vertx vertx) {
    HttpServer s = vertx.createHttpServer().requestHandler(req -> {
      if (req.path().equals("/slow")) {
        arrived.tryComplete();
        release.future().onComplete(x -> req.response().end("slow done"));
      } else {
        req.response().end("ok");
      }
    }).listen(0, "127.0.0.1").await();
    this.port = s.actualPort();
  }

  /** The bound port. */
  public int port() {
    return port;
  }

  /** Completes when a {@code /slow} request has arrived. */
  public Future<Void> arrived() {
    return arrived.future();
  }

  /** Lets the held requests be answered. */
  public void release() {
    release.tryComplete();
  }
}
