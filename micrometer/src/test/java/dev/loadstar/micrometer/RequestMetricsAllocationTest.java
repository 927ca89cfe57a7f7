package dev.loadstar.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loadstar.core.RegisteredTarget;
import dev.loadstar.core.RequestOutcome;
import dev.loadstar.core.Target;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetGroupConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import java.lang.management.ManagementFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Recording a request end in the per-target meters allocates nothing on the request's thread: the bytes this thread
 * allocates over many request ends, counted by the JVM ({@code ThreadMXBean#getThreadAllocatedBytes}; a count, not
 * a timing), with the Prometheus registry the gateway uses (so TargetErrorCount's per-outcome counters are looked up without
 * boxing or a map).
 */
class RequestMetricsAllocationTest {

  private static final int REQUESTS = 200_000;

  @Test
  void recordingARequestEndAllocatesNothing() {
    Vertx vertx = Vertx.vertx();
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    TargetGroup group = TargetGroup.create(vertx, TargetGroupConfig.builder("alloc").build());
    TargetGroupMetrics metrics = new TargetGroupMetrics(group);
    try {
      group.register(List.of(Target.of("a", "127.0.0.1", 8081), Target.of("b", "127.0.0.1", 8082)));
      metrics.bindTo(registry);
      RegisteredTarget a = group.target("a");
      RegisteredTarget b = group.target("b");
      com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
      long thread = Thread.currentThread().getId();
      run(a, b, REQUESTS); // warm up
      long before = mx.getThreadAllocatedBytes(thread);
      run(a, b, REQUESTS);
      long allocated = mx.getThreadAllocatedBytes(thread) - before;
      assertThat(registry.scrape()).contains("RequestCountPerTarget_total{target=\"a\",target_group=\"alloc\"} "
          + (double) REQUESTS);
      // one allocation per request would be at least 16 bytes x 200,000 = 3.2 MB; allow the probe's own bytes
      assertThat(allocated).as("bytes allocated by %d request ends", REQUESTS).isLessThan(1_024);
    } finally {
      metrics.close();
      group.close().await();
      vertx.close().await();
    }
  }

  private static void run(RegisteredTarget a, RegisteredTarget b, int requests) {
    for (int i = 0; i < requests; i++) {
      RegisteredTarget t = (i & 1) == 0 ? a : b;
      if (t.tryStartRequest()) {
        t.endRequest((i & 7) == 0 ? RequestOutcome.CONNECT_FAILURE : RequestOutcome.SUCCESS, 1_000_000L + i);
      }
    }
  }
}
