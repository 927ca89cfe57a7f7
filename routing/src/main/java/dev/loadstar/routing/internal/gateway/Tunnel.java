package dev.loadstar.routing.internal.gateway;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.NetSocket;
import java.util.Map;

/**
 * A WebSocket upgrade through the listener: the upgrade request goes to the target (without framing headers: an
 * upgrade has no body); on {@code 101} both connections become raw sockets piped to each other with backpressure,
 * and the attempt ends when both directions have ended. Any other answer is relayed and the target connection is
 * closed, never returned to the pool (it may be in any state).
 */
final class Tunnel {

  private Tunnel() {
  }

  static void open(Forward f, HttpClientRequest creq) {
    String upgrade = f.req.getHeader("upgrade");
    creq.putHeader("connection", "Upgrade");
    if (upgrade != null) {
      creq.putHeader("upgrade", upgrade);
    }
    creq.idleTimeout(f.worker.config.idleTimeout().toMillis());
    creq.connect().onComplete(ar -> f.guard(() -> {
      if (ar.failed()) {
        if (f.clientGone()) {
          f.exchange.cancelled();
          f.worker.stats.elb(460);
          f.exchange.finish(0);
          return;
        }
        f.exchange.failed(f.exchange.classify(ar.cause(), true));
        creq.connection().close();
        f.worker.respond(f.req, Forward.errorStatus(f.exchange.lastFailure()));
        f.exchange.finish(Forward.errorStatus(f.exchange.lastFailure()));
        return;
      }
      HttpClientResponse cresp = ar.result();
      f.exchange.responseHead(cresp.statusCode());
      if (cresp.statusCode() != 101) {
        refused(f, creq, cresp);
      } else {
        splice(f, cresp);
      }
    }));
  }

  /** The target did not switch protocols: its answer goes to the client, its connection is closed. */
  private static void refused(Forward f, HttpClientRequest creq, HttpClientResponse cresp) {
    HttpServerResponse resp = f.req.response();
    resp.setStatusCode(cresp.statusCode());
    for (Map.Entry<String, String> h : cresp.headers()) {
      if (!HopByHop.isResponseHopByHop(h.getKey()) && !h.getKey().equalsIgnoreCase("content-length")) {
        resp.headers().add(h.getKey(), h.getValue());
      }
    }
    f.req.resume();
    int status = cresp.statusCode();
    cresp.body().onComplete(body -> f.guard(() -> {
      creq.connection().close();
      f.exchange.succeeded(status);
      resp.end(body.succeeded() ? body.result() : Buffer.buffer());
      f.exchange.finish(status);
    }));
  }

  private static void splice(Forward f, HttpClientResponse cresp) {
    HttpServerResponse resp = f.req.response();
    NetSocket backend = cresp.netSocket();
    resp.setStatusCode(101);
    for (Map.Entry<String, String> h : cresp.headers()) {
      resp.headers().add(h.getKey(), h.getValue());
    }
    f.req.toNetSocket().onComplete(sock -> f.guard(() -> {
      if (sock.failed()) {
        backend.close();
        f.exchange.cancelled();
        f.worker.stats.elb(460);
        f.exchange.finish(0);
        return;
      }
      NetSocket front = sock.result();
      int[] open = {2};
      Runnable oneDone = () -> {
        if (--open[0] == 0) {
          f.exchange.succeeded(101);
          f.exchange.finish(101);
        }
      };
      // each pipe ends (closes) its destination when its source ends or fails; both run on this event loop
      front.pipeTo(backend).onComplete(x -> {
        backend.close();
        oneDone.run();
      });
      backend.pipeTo(front).onComplete(x -> {
        front.close();
        oneDone.run();
      });
    }));
  }
}
