package dev.loadstar.benchmarks.healthcheck;

import dev.loadstar.core.Target;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetGroupConfig;
import dev.loadstar.core.TargetHealth;
import dev.loadstar.healthcheck.HealthCheck;
import dev.loadstar.healthcheck.HealthChecker;
import dev.loadstar.healthcheck.OutlierDetection;
import dev.loadstar.healthcheck.internal.DefaultHealthChecker;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SynchronizedHistogram;

/**
 * Active health checks at scale: N targets (default 10,000) spread over a few real local HTTP servers, each checked
 * every interval (default 1 s, connection closed after each check, as ALB does). Measures, after the group has
 * converged to healthy, the scheduling lag of every check (actual start minus planned start), the check rate
 * achieved against the rate asked for, failed checks, and the process CPU.
 *
 * <p>Bounded run: {@code java -cp benchmarks/target/benchmarks.jar
 * dev.loadstar.benchmarks.healthcheck.HealthCheckScaleBenchmark [targets] [servers] [intervalMs] [measureSeconds] [reuseConnections]}.
 */
public final class HealthCheckScaleBenchmark {

  private HealthCheckScaleBenchmark() {
  }

  /** One backend per verticle, so that the servers spread over the event loops. */
  static final AtomicLong CONNECTIONS = new AtomicLong();

  static final class Backend extends VerticleBase {
    volatile int port;
    HttpServer server;

    @Override
    public Future<?> start() {
      return vertx.createHttpServer().connectionHandler(c -> CONNECTIONS.incrementAndGet())
          .requestHandler(req -> req.response().end("ok"))
          .listen(0, "127.0.0.1").onSuccess(s -> {
            server = s;
            port = s.actualPort();
          });
    }
  }

  /** Runs the benchmark; see the class comment for the arguments. */
  public static void main(String[] args) throws Exception {
    int targets = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    int servers = args.length > 1 ? Integer.parseInt(args[1]) : 8;
    long intervalMs = args.length > 2 ? Long.parseLong(args[2]) : 1000;
    int measureSeconds = args.length > 3 ? Integer.parseInt(args[3]) : 30;
    boolean reuse = args.length > 4 && Boolean.parseBoolean(args[4]);
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    System.out.printf("health check scale: %d targets on %d local servers, interval %d ms, measure %d s, "
        + "reuse connections %s, %d cores, load average %.2f, %s%n", targets, servers, intervalMs, measureSeconds, reuse,
        Runtime.getRuntime().availableProcessors(), os.getSystemLoadAverage(), Instant.now());

    Vertx vertx = Vertx.vertx();
    List<Backend> backends = new ArrayList<>();
    for (int i = 0; i < servers; i++) {
      Backend b = new Backend();
      vertx.deployVerticle(b).await();
      backends.add(b);
    }
    TargetGroup group = TargetGroup.create(vertx, TargetGroupConfig.builder("bench").healthCheckEnabled(true)
        .build());
    long t0 = System.nanoTime();
    for (int i = 0; i < targets; i++) {
      group.register(Target.of("t" + i, "127.0.0.1", backends.get(i % servers).port));
    }
    long registeredMs = (System.nanoTime() - t0) / 1_000_000;

    HealthCheck hc = HealthCheck.builder().embedded(true).interval(Duration.ofMillis(intervalMs))
        .timeout(Duration.ofMillis(Math.max(1, intervalMs / 2))).path("/health").reuseConnections(reuse).build();
    Histogram lag = new SynchronizedHistogram(60_000_000_000L, 3);
    AtomicLong checks = new AtomicLong();
    AtomicLong failures = new AtomicLong();
    long t1 = System.nanoTime();
    DefaultHealthChecker checker = (DefaultHealthChecker) HealthChecker.start(vertx, group, hc,
        OutlierDetection.disabled());
    // called on the checker's event loops (one per core): synchronised histograms
    java.util.Map<String, Integer> startupReasons = new java.util.concurrent.ConcurrentSkipListMap<>();
    checker.probeListener((t, planned, start, end, failure, active) -> {
      lag.recordValue(Math.max(0, start - planned));
      checks.incrementAndGet();
      if (failure != null) {
        failures.incrementAndGet();
        startupReasons.merge(failure.description(), 1, Integer::sum);
      }
    });
    long lastReport = System.nanoTime();
    while (!allHealthy(group)) {
      Thread.sleep(100);
      if (System.nanoTime() - lastReport > 5_000_000_000L) {
        lastReport = System.nanoTime();
        java.util.Map<String, Long> states = new java.util.TreeMap<>();
        for (var t : group.targets()) {
          states.merge(t.health().state().apiName(), 1L, Long::sum);
        }
        System.out.printf("  converging: %s, checks so far %d, failures %s%n", states, checks.get(), startupReasons);
      }
    }
    long convergedMs = (System.nanoTime() - t1) / 1_000_000;
    System.out.printf("registered in %d ms; all %d targets healthy %d ms after the checker started%n",
        registeredMs, targets, convergedMs);

    // settle one interval, then measure
    Thread.sleep(Math.max(2000, 2 * intervalMs));
    Histogram window = new SynchronizedHistogram(60_000_000_000L, 3);
    checker.probeListener(null);
    java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    java.util.Map<Long, Long> threadCpu0 = new java.util.HashMap<>();
    for (long id : threads.getAllThreadIds()) {
      threadCpu0.put(id, threads.getThreadCpuTime(id));
    }
    long cpu0 = os.getProcessCpuTime();
    long w0 = System.nanoTime();
    long checks0 = checks.get();
    long connections0 = CONNECTIONS.get();
    long failures0 = failures.get();
    Histogram duration = new SynchronizedHistogram(60_000_000_000L, 3);
    java.util.Map<String, Integer> reasons = new java.util.concurrent.ConcurrentSkipListMap<>();
    checker.probeListener((t, planned, start, end, failure, active) -> {
      window.recordValue(Math.max(0, start - planned));
      duration.recordValue(Math.max(0, end - start));
      checks.incrementAndGet();
      if (failure != null) {
        failures.incrementAndGet();
        reasons.merge(failure.description(), 1, Integer::sum);
      }
    });
    Thread.sleep(measureSeconds * 1000L);
    checker.probeListener(null);
    long wallNanos = System.nanoTime() - w0;
    long cpuNanos = os.getProcessCpuTime() - cpu0;
    double seconds = wallNanos / 1e9;
    long done = checks.get() - checks0;
    System.out.printf("checks: %d in %.1f s = %.0f/s (asked: %.0f/s), failed: %d%n", done, seconds, done / seconds,
        targets * 1000.0 / intervalMs, failures.get() - failures0);
    System.out.printf("connections accepted by the servers: %d%n", CONNECTIONS.get() - connections0);
    System.out.printf("scheduling lag (actual - planned start): p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, "
        + "p99.9 %.2f ms, max %.2f ms%n", ms(window.getValueAtPercentile(50)), ms(window.getValueAtPercentile(90)),
        ms(window.getValueAtPercentile(99)), ms(window.getValueAtPercentile(99.9)), ms(window.getMaxValue()));
    System.out.printf("check duration: p50 %.2f ms, p99 %.2f ms, max %.2f ms; failures by cause: %s%n",
        ms(duration.getValueAtPercentile(50)), ms(duration.getValueAtPercentile(99)), ms(duration.getMaxValue()),
        reasons);
    System.out.printf("process CPU: %.2f cores on average (%.0f %% of the machine); load average now %.2f%n",
        cpuNanos / (double) wallNanos, 100.0 * cpuNanos / wallNanos / Runtime.getRuntime().availableProcessors(),
        os.getSystemLoadAverage());
    java.util.List<String> busiest = new java.util.ArrayList<>();
    java.util.Map<String, Long> byThread = new java.util.HashMap<>();
    for (long id : threads.getAllThreadIds()) {
      long used = threads.getThreadCpuTime(id) - threadCpu0.getOrDefault(id, 0L);
      java.lang.management.ThreadInfo info = threads.getThreadInfo(id);
      if (info != null && used > 0) {
        byThread.put(info.getThreadName(), used);
      }
    }
    byThread.entrySet().stream().sorted(java.util.Map.Entry.<String, Long>comparingByValue().reversed()).limit(6)
        .forEach(e -> busiest.add(String.format("%s %.0f%%", e.getKey(), 100.0 * e.getValue() / wallNanos)));
    System.out.printf("busiest threads (share of one core): %s%n", busiest);
    System.out.printf("checker: %d event loops, %d targets followed, %d checks in flight, %d live timers%n",
        checker.shards(), checker.trackedTargets(), checker.inFlightChecks(), checker.liveTimers());
    checker.close().await();
    System.out.printf("after close: %d live timers%n", checker.liveTimers());
    group.close().await();
    vertx.close().await();
  }

  private static boolean allHealthy(TargetGroup group) {
    for (var t : group.targets()) {
      if (t.health().state() != TargetHealth.State.HEALTHY) {
        return false;
      }
    }
    return true;
  }

  private static double ms(long nanos) {
    return nanos / 1e6;
  }
}
