package dev.loadstar.healthcheck;

import dev.loadstar.core.RegisteredTarget;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetHealth;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntUnaryOperator;

/**
 * A real HTTP backend on 127.0.0.1 (port 0) that answers the n-th request (from 1) with {@code script(n)} and
 * records, as each request arrives, the health the group shows for the target it serves. Because the checker sends a
 * target's next check only after the previous check's health change was applied, the health seen at the arrival of
 * check n+1 is exactly the health after check n.
 */
final class ScriptedBackend {

  final AtomicInteger requests = new AtomicInteger();
  final List<TargetHealth> healthAtArrival = new CopyOnWriteArrayList<>();
  final List<String> userAgents = new CopyOnWriteArrayList<>();
  final List<String> hosts = new CopyOnWriteArrayList<>();
  final List<String> uris = new CopyOnWriteArrayList<>();
  private final HttpServer server;
  volatile TargetGroup group;
  volatile String targetId;
  volatile IntUnaryOperator script;

  ScriptedBackend(Vertx vertx, IntUnaryOperator script) {
    this.script = script;
    this.server = vertx.createHttpServer().requestHandler(req -> {
      int n = requests.incrementAndGet();
      TargetGroup g = group;
      RegisteredTarget t = g == null ? null : g.target(targetId);
      healthAtArrival.add(t == null ? TargetHealth.UNUSED : t.health());
      userAgents.add(String.valueOf(req.getHeader("User-Agent")));
      hosts.add(String.valueOf(req.getHeader("Host")));
      uris.add(req.uri());
      req.response().setStatusCode(this.script.applyAsInt(n)).end("check " + n);
    }).listen(0, "127.0.0.1").await();
  }

  /** Follows this target of this group. */
  ScriptedBackend serving(TargetGroup group, String targetId) {
    this.group = group;
    this.targetId = targetId;
    return this;
  }

  int port() {
    return server.actualPort();
  }

  void close() {
    server.close().await();
  }
}
