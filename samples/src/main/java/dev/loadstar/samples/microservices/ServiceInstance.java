package dev.loadstar.samples.microservices;

import dev.loadstar.core.Target;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;

/**
 * One instance of a sample service: a plain Vert.x HTTP server on 127.0.0.1, port 0 (read back), with a name such as
 * {@code inventory-1} that every answer carries.
 */
public final class ServiceInstance {

  private final String name;
  private final HttpServer server;
  private volatile boolean crashed;

  private ServiceInstance(String name, HttpServer server) {
    this.name = name;
    this.server = server;
  }

  /** Starts an instance named {@code name} serving requests with {@code handler}. */
  public static Future<ServiceInstance> start(Vertx vertx, String name, Handler<HttpServerRequest> handler) {
    return vertx.createHttpServer().requestHandler(handler).listen(0, "127.0.0.1")
        .map(server -> new ServiceInstance(name, server));
  }

  /** The instance's name, e.g. {@code inventory-1}. */
  public String name() {
    return name;
  }

  /** The bound port. */
  public int port() {
    return server.actualPort();
  }

  /** The instance as a target (id = name). */
  public Target target() {
    return Target.of(name, "127.0.0.1", port());
  }

  /** Kills the instance: the server closes at once, connections and requests in flight included. */
  public Future<Void> crash() {
    crashed = true;
    return server.close();
  }

  /** Whether {@link #crash()} was called. */
  public boolean crashed() {
    return crashed;
  }

  /** Stops the instance (same as a crash, for clean-up). */
  public Future<Void> close() {
    return server.close();
  }
}
