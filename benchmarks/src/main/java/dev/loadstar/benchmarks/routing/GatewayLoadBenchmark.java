package dev.loadstar.benchmarks.routing;

import dev.loadstar.core.Target;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetGroupConfig;
import dev.loadstar.routing.Action;
import dev.loadstar.routing.HttpListener;
import dev.loadstar.routing.ListenerConfig;
import dev.loadstar.routing.RuleSet;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * A bounded closed-loop load generator on loopback: {@code --concurrency} requests in flight for
 * {@code --duration} seconds, first straight to one backend (the limit), then through the gateway over two
 * backends, in the same run. Prints throughput and p50/p99/p99.9 latency.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar dev.loadstar.benchmarks.routing.GatewayLoadBenchmark
 * --duration 10 --warmup 3 --concurrency 32}
 */
public final class GatewayLoadBenchmark {

  private GatewayLoadBenchmark() {
  }

  /** Runs the comparison. */
  public static void main(String[] args) throws Exception {
    int duration = intArg(args, "--duration", 10);
    int warmup = intArg(args, "--warmup", 3);
    int concurrency = intArg(args, "--concurrency", 32);
    Vertx backends = Vertx.vertx();
    Vertx gateway = Vertx.vertx();
    Vertx load = Vertx.vertx();
    Buffer payload = Buffer.buffer("x".repeat(256));
    int[] ports = new int[2];
    for (int i = 0; i < 2; i++) {
      ports[i] = backends.createHttpServer().requestHandler(req -> req.response().end(payload))
          .listen(0, "127.0.0.1").await().actualPort();
    }
    TargetGroup group = TargetGroup.create(gateway, TargetGroupConfig.builder("web").build());
    group.register(Target.of("b0", "127.0.0.1", ports[0]));
    group.register(Target.of("b1", "127.0.0.1", ports[1]));
    HttpListener listener = HttpListener.builder(gateway)
        .config(ListenerConfig.builder().host("127.0.0.1").port(0).build())
        .rules(RuleSet.of(Action.forward("web")))
        .targetGroups(Map.of("web", group)::get)
        .build();
    listener.start().await();
    HttpClient client = load.createHttpClient(new HttpClientOptions().setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(concurrency));

    System.out.printf("concurrency=%d duration=%ds warmup=%ds cores=%d%n", concurrency, duration, warmup,
        Runtime.getRuntime().availableProcessors());
    run(client, ports[0], concurrency, warmup);
    report("direct (1 backend)", run(client, ports[0], concurrency, duration), duration);
    run(client, listener.actualPort(), concurrency, warmup);
    report("gateway (2 backends)", run(client, listener.actualPort(), concurrency, duration), duration);
    System.out.println("gateway stats: " + listener.stats());

    client.close().await();
    listener.close().await();
    load.close().await();
    gateway.close().await();
    backends.close().await();
  }

  private static int intArg(String[] args, String name, int def) {
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals(name)) {
        return Integer.parseInt(args[i + 1]);
      }
    }
    return def;
  }

  private static final class Result {
    final Histogram latency = new Histogram(TimeUnit.SECONDS.toMicros(10), 3);
    final AtomicLong ok = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
  }

  private static Result run(HttpClient client, int port, int concurrency, int seconds) throws InterruptedException {
    Result r = new Result();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    CountDownLatch done = new CountDownLatch(concurrency);
    for (int i = 0; i < concurrency; i++) {
      loop(client, port, deadline, r, done);
    }
    done.await();
    return r;
  }

  private static void loop(HttpClient client, int port, long deadline, Result r, CountDownLatch done) {
    if (System.nanoTime() >= deadline) {
      done.countDown();
      return;
    }
    long start = System.nanoTime();
    client.request(HttpMethod.GET, port, "127.0.0.1", "/")
        .compose(req -> req.send())
        .compose(resp -> resp.body().map(b -> resp.statusCode()))
        .onComplete(ar -> {
          long micros = (System.nanoTime() - start) / 1000;
          synchronized (r.latency) {
            r.latency.recordValue(Math.min(micros, r.latency.getHighestTrackableValue()));
          }
          if (ar.succeeded() && ar.result() == 200) {
            r.ok.incrementAndGet();
          } else {
            r.failed.incrementAndGet();
          }
          loop(client, port, deadline, r, done);
        });
  }

  private static void report(String name, Result r, int seconds) {
    Histogram h = r.latency;
    System.out.printf("%-22s %9.0f req/s  p50 %6d us  p99 %6d us  p99.9 %6d us  ok %d  failed %d%n", name,
        r.ok.get() / (double) seconds, h.getValueAtPercentile(50), h.getValueAtPercentile(99),
        h.getValueAtPercentile(99.9), r.ok.get(), r.failed.get());
  }
}
