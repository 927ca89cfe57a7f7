package dev.loadstar.gateway.accesslog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import dev.loadstar.core.Target;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetGroupConfig;
import dev.loadstar.core.time.TimeSource;
import dev.loadstar.gateway.config.AccessLogSettings;
import dev.loadstar.gateway.metrics.GatewayMetrics;
import dev.loadstar.gateway.support.Http;
import dev.loadstar.gateway.support.Prometheus;
import dev.loadstar.routing.Action;
import dev.loadstar.routing.HttpListener;
import dev.loadstar.routing.ListenerConfig;
import dev.loadstar.routing.RuleSet;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An output that blocks (a stalled stdout pipe) or fails (a full disk) never holds a request: every request is
 * answered while the log's queue fills, and what cannot be written is dropped and counted.
 */
@Timeout(60)
class AccessLogBackpressureTest {

  private static final int REQUESTS = 50;
  private static final int QUEUE = 4;

  private final Vertx vertx = Vertx.vertx();
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final CountDownLatch unblock = new CountDownLatch(1);
  private HttpListener listener;
  private AccessLog log;

  @AfterEach
  void tearDown() {
    unblock.countDown();
    if (listener != null) {
      listener.close().await();
    }
    if (log != null) {
      log.close();
    }
    vertx.close().await();
  }

  private int start(AccessLog accessLog) {
    this.log = accessLog;
    HttpServer backend = vertx.createHttpServer().requestHandler(req -> req.response().end("ok"))
        .listen(0, "127.0.0.1").await();
    TargetGroup group = TargetGroup.create(vertx, TargetGroupConfig.builder("app").healthCheckEnabled(false).build());
    group.register(Target.of("a1", "127.0.0.1", backend.actualPort()));
    listener = HttpListener.builder(vertx).config(ListenerConfig.builder().name("web").host("127.0.0.1").port(0)
            .eventLoops(1).build())
        .rules(RuleSet.of(Action.forward("app"))).targetGroups(n -> n.equals("app") ? group : null)
        .requestLog(accessLog).build();
    listener.start().await();
    new GatewayMetrics(registry).bindAccessLog("web", accessLog);
    return listener.actualPort();
  }

  @Test
  void aBlockedOutputDropsAndCountsRecordsWhileEveryRequestIsAnswered() throws Exception {
    CountDownLatch writing = new CountDownLatch(1);
    OutputStream stalled = new OutputStream() {
      @Override
      public void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) {
        writing.countDown();
        try {
          unblock.await(); // a pipe nobody reads
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    };
    int port = start(AccessLog.toStream(stalled, "stalled", QUEUE));
    try (Http http = new Http(vertx)) {
      assertThat(http.get(port, "/first").status()).isEqualTo(200);
      writing.await(); // the writer thread took the first record and is stuck writing it
      for (int i = 1; i < REQUESTS; i++) {
        assertThat(http.get(port, "/next-" + i).status()).isEqualTo(200);
      }
    }
    // the queue holds QUEUE records; the writer holds the first; everything else was dropped, never waited for
    await().atMost(Duration.ofSeconds(10)).until(() -> log.dropped() == REQUESTS - 1 - QUEUE);
    assertThat(log.queued()).isEqualTo(QUEUE);
    assertThat(log.dropped("web", AccessLog.Drop.QUEUE_FULL)).isEqualTo(REQUESTS - 1 - QUEUE);
    assertThat(log.written()).isZero();
    assertThat(Prometheus.value(registry.scrape(),
        "AccessLogDroppedCount_total{listener=\"web\",reason=\"queue_full\"}")).hasValue(REQUESTS - 1 - QUEUE);

    unblock.countDown(); // the output drains: what was queued is written
    await().atMost(Duration.ofSeconds(10)).until(() -> log.written() == 1 + QUEUE);
  }

  @Test
  void aFullDiskDropsAndCountsRecordsWhileEveryRequestIsAnswered() {
    Path full = Path.of("/dev/full");
    assumeThat(Files.isWritable(full)).as("/dev/full (Linux) fails every write with ENOSPC").isTrue();
    int port = start(AccessLog.open(new AccessLogSettings(full.toString(), 100L << 20, Duration.ZERO, 10, 1024),
        TimeSource.system(vertx)));
    try (Http http = new Http(vertx)) {
      for (int i = 0; i < REQUESTS; i++) {
        assertThat(http.get(port, "/r-" + i).status()).isEqualTo(200);
      }
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> log.dropped("web", AccessLog.Drop.WRITE_ERROR) == REQUESTS);
    assertThat(log.written()).isZero();
    assertThat(Prometheus.value(registry.scrape(),
        "AccessLogDroppedCount_total{listener=\"web\",reason=\"write_error\"}")).hasValue(REQUESTS);
  }
}
