package dev.loadstar.healthcheck;

import static org.awaitility.Awaitility.await;

import dev.loadstar.core.Target;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetGroupConfig;
import dev.loadstar.core.TargetHealth;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.time.Duration;

/**
 * Runs one health check through the whole path once per JVM, with ALB's generous 5 s timeout, so that class loading
 * and JIT on a cold (and shared, busy) machine do not turn the first short-timeout check of a test into a timeout.
 */
final class Warmup {

  private static boolean done;

  private Warmup() {
  }

  static synchronized void ensure() {
    if (done) {
      return;
    }
    Vertx vertx = Vertx.vertx();
    try {
      HttpServer server = vertx.createHttpServer().requestHandler(r -> r.response().end("ok"))
          .listen(0, "127.0.0.1").await();
      TargetGroup group = TargetGroup.create(vertx, TargetGroupConfig.builder("warmup").healthCheckEnabled(true)
          .build());
      group.register(Target.of("w", "127.0.0.1", server.actualPort()));
      HealthChecker checker = HealthChecker.start(vertx, group, HealthCheck.builder()
          .interval(Duration.ofSeconds(6)).timeout(Duration.ofSeconds(5)).build());
      await().atMost(Duration.ofSeconds(30))
          .until(() -> group.target("w").health().state() == TargetHealth.State.HEALTHY);
      checker.close().await();
      group.close().await();
      done = true;
    } finally {
      vertx.close().await();
    }
  }
}
