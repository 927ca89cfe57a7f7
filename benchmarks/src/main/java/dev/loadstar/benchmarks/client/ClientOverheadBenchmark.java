package dev.loadstar.benchmarks.client;

import dev.loadstar.core.LoadBalancedClient;
import dev.loadstar.core.LoadBalancedClientOptions;
import dev.loadstar.core.Target;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetGroupConfig;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Client overhead: requests/s and latency percentiles of {@link LoadBalancedClient} against a raw Vert.x
 * {@code WebClient} that round-robins over the same local backends, in the same run.
 *
 * <p>A closed loop of {@code concurrency} virtual users, spread over the event loops, each sending its next GET as
 * soon as the previous one completes. Both clients first run unrecorded for {@code warmup} seconds each (JIT);
 * then each phase warms up again, then measures for {@code duration} seconds; the phases alternate (raw, raw
 * with the balanced client's 60 s per-attempt idle timeout, balanced; the order rotates every round) so drift on
 * a shared machine hits all of them. Backends run in the same
 * process on 127.0.0.1 (ports bound to 0). Bounded in time; stops by itself.
 *
 * <p>Usage: {@code java -cp benchmarks/target/benchmarks.jar dev.loadstar.benchmarks.client.ClientOverheadBenchmark
 * [--duration 20] [--warmup 10] [--concurrency 64] [--backends 2] [--rounds 3] [--only 0|1|2]}
 */
public final class ClientOverheadBenchmark {

  private ClientOverheadBenchmark() {
  }

  /** Runs the benchmark and prints one line per phase and a summary. */
  public static void main(String[] args) throws Exception {
    int duration = intArg(args, "--duration", 20);
    int warmup = intArg(args, "--warmup", 10);
    int concurrency = intArg(args, "--concurrency", 64);
    int backendCount = intArg(args, "--backends", 2);
    int rounds = intArg(args, "--rounds", 3);
    // --only 0|1|2: run one phase only (raw, raw + idle timeout, balanced), e.g. to profile it alone
    int only = intArg(args, "--only", -1);

    Vertx vertx = Vertx.vertx(new VertxOptions());
    List<Integer> ports = new ArrayList<>();
    List<HttpServer> servers = new ArrayList<>();
    Buffer body = Buffer.buffer("ok");
    for (int i = 0; i < backendCount; i++) {
      HttpServer s = vertx.createHttpServer().requestHandler(req -> req.response().end(body))
          .listen(0, "127.0.0.1").await();
      servers.add(s);
      ports.add(s.actualPort());
    }
    PoolOptions pool = new PoolOptions().setHttp1MaxSize(Math.max(8, concurrency));
    // built like the balanced client's shared client, so the comparison isolates the balancing layer
    io.vertx.core.http.HttpClientAgent rawHttp = vertx.httpClientBuilder()
        .with(new io.vertx.core.http.HttpClientOptions(new WebClientOptions())).with(pool).build();
    WebClient raw = WebClient.wrap(rawHttp, new WebClientOptions());
    TargetGroup group = TargetGroup.create(vertx, TargetGroupConfig.builder("bench").build());
    for (int i = 0; i < ports.size(); i++) {
      group.register(Target.of("b" + i, "127.0.0.1", ports.get(i)));
    }
    LoadBalancedClient balanced = LoadBalancedClient.create(vertx,
        new LoadBalancedClientOptions().setPoolOptions(pool)).addTargetGroup(group);

    AtomicLong rr = new AtomicLong();
    Supplier<Future<?>> rawCall = () -> {
      int port = ports.get((int) Long.remainderUnsigned(rr.getAndIncrement(), ports.size()));
      return raw.request(HttpMethod.GET, port, "127.0.0.1", "/").send();
    };
    // the balanced client sets a per-attempt idle timeout (ALB's 60 s); this variant isolates what that costs
    Supplier<Future<?>> rawTimeoutCall = () -> {
      int port = ports.get((int) Long.remainderUnsigned(rr.getAndIncrement(), ports.size()));
      return raw.request(HttpMethod.GET, port, "127.0.0.1", "/").idleTimeout(60_000).send();
    };
    Supplier<Future<?>> balancedCall = () -> balanced.get("bench", "/").send();

    System.out.printf(Locale.ROOT, "client overhead: %d backends, concurrency %d, warmup %d s, measure %d s, "
        + "%d round(s), %d cores, Java %s%n", backendCount, concurrency, warmup, duration, rounds,
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
    // JIT warm-up of the server, both clients and the generator; not recorded
    if (only < 0 || only == 0) {
      run(vertx, "(warm-up) raw", rawCall, concurrency, 0, warmup);
    }
    if (only < 0 || only == 1) {
      run(vertx, "(warm-up) raw + timeout", rawTimeoutCall, concurrency, 0, warmup);
    }
    if (only < 0 || only == 2) {
      run(vertx, "(warm-up) balanced", balancedCall, concurrency, 0, warmup);
    }
    List<Result> results = new ArrayList<>();
    String[] names = {"raw WebClient", "raw + idle timeout", "LoadBalancedClient"};
    List<Supplier<Future<?>>> calls = List.of(rawCall, rawTimeoutCall, balancedCall);
    for (int r = 0; r < rounds; r++) {
      // the order rotates every round (raw first, then the timeout variant first, ...) so that whatever comes
      // first or last in a round (drift, a GC of the previous phase's garbage) hits every phase alike
      Result[] round = new Result[3];
      for (int k = 0; k < 3; k++) {
        int phase = (r + k) % 3;
        round[phase] = only < 0 || only == phase
            ? run(vertx, names[phase], calls.get(phase), concurrency, warmup, duration)
            : new Result(names[phase], Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0, Double.NaN, Double.NaN);
      }
      results.addAll(List.of(round));
    }
    summarize(results);

    balanced.close().await();
    rawHttp.close().await();
    for (HttpServer s : servers) {
      s.close().await();
    }
    vertx.close().await();
  }

  /**
   * One phase: throughput, latency, and the process's CPU time and heap allocation per completed request over the
   * measured seconds (client, generator and backends together, so the difference between phases is the client's;
   * on a shared machine CPU per request moves much less than throughput does).
   */
  record Result(String name, double rps, double p50Us, double p99Us, double p999Us, long errors, double cpuUs,
      double bytes) {
  }

  /** CPU time of the whole process, in nanoseconds. */
  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** Bytes allocated so far by every live thread. */
  private static long allocatedBytes() {
    com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long total = 0;
    for (long b : mx.getThreadAllocatedBytes(mx.getAllThreadIds())) {
      total += Math.max(0, b);
    }
    return total;
  }

  private static Result run(Vertx vertx, String name, Supplier<Future<?>> call, int concurrency, int warmup,
      int duration) throws Exception {
    Recorder recorder = new Recorder(3);
    AtomicBoolean stop = new AtomicBoolean();
    AtomicBoolean measuring = new AtomicBoolean();
    AtomicLong completed = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    AtomicLong running = new AtomicLong(concurrency);
    Promise<Void> allStopped = Promise.promise();
    int loops = Math.max(1, 2 * Runtime.getRuntime().availableProcessors());
    List<Context> contexts = new ArrayList<>();
    for (int i = 0; i < loops; i++) {
      contexts.add(((io.vertx.core.internal.VertxInternal) vertx).createEventLoopContext());
    }
    for (int u = 0; u < concurrency; u++) {
      Context ctx = contexts.get(u % loops);
      ctx.runOnContext(v -> new User(call, recorder, stop, measuring, completed, errors, running, allStopped).next());
    }
    TimeUnit.SECONDS.sleep(warmup);
    recorder.reset();
    completed.set(0);
    errors.set(0);
    long cpu0 = processCpuNanos();
    long bytes0 = allocatedBytes();
    measuring.set(true);
    long start = System.nanoTime();
    TimeUnit.SECONDS.sleep(duration);
    measuring.set(false);
    long elapsed = System.nanoTime() - start;
    long done = completed.get();
    long cpu = processCpuNanos() - cpu0;
    long bytes = allocatedBytes() - bytes0;
    Histogram h = recorder.getIntervalHistogram();
    stop.set(true);
    allStopped.future().await(30, TimeUnit.SECONDS);
    double rps = done / (elapsed / 1e9);
    Result result = new Result(name, rps, h.getValueAtPercentile(50), h.getValueAtPercentile(99),
        h.getValueAtPercentile(99.9), errors.get(), cpu / 1e3 / Math.max(1, done), (double) bytes / Math.max(1, done));
    System.out.printf(Locale.ROOT, "%-20s %10.0f req/s   p50 %8.3f ms   p99 %8.3f ms   p99.9 %8.3f ms   errors %d"
        + "   CPU %6.2f us/req   alloc %6.0f B/req%n", name, result.rps(), result.p50Us() / 1000,
        result.p99Us() / 1000, result.p999Us() / 1000, result.errors(), result.cpuUs(), result.bytes());
    return result;
  }

  /** One virtual user: sends the next request when the previous one completes. */
  private static final class User {
    private final Supplier<Future<?>> call;
    private final Recorder recorder;
    private final AtomicBoolean stop;
    private final AtomicBoolean measuring;
    private final AtomicLong completed;
    private final AtomicLong errors;
    private final AtomicLong running;
    private final Promise<Void> allStopped;
    private final Context context = Vertx.currentContext();

    User(Supplier<Future<?>> call, Recorder recorder, AtomicBoolean stop, AtomicBoolean measuring,
        AtomicLong completed, AtomicLong errors, AtomicLong running, Promise<Void> allStopped) {
      this.call = call;
      this.recorder = recorder;
      this.stop = stop;
      this.measuring = measuring;
      this.completed = completed;
      this.errors = errors;
      this.running = running;
      this.allStopped = allStopped;
    }

    void next() {
      if (stop.get()) {
        if (running.decrementAndGet() == 0) {
          allStopped.tryComplete();
        }
        return;
      }
      long t0 = System.nanoTime();
      call.get().onComplete(ar -> {
        if (measuring.get()) {
          recorder.recordValue(Math.max(1, (System.nanoTime() - t0) / 1000)); // microseconds
          completed.incrementAndGet();
          if (ar.failed()) {
            errors.incrementAndGet();
          }
        }
        // the next request leaves the completion's call stack (as an application's next step would), so the
        // connection is back in the pool before it is sent, for both clients alike
        context.runOnContext(v -> next());
      });
    }
  }

  private static void summarize(List<Result> results) {
    String[] names = {"raw WebClient", "raw + idle timeout", "LoadBalancedClient"};
    StringBuilder ratios = new StringBuilder();
    for (int i = 0; i + 2 < results.size(); i += 3) {
      ratios.append(ratios.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.0f%%",
          100.0 * results.get(i + 2).rps() / results.get(i).rps()));
    }
    System.out.printf(Locale.ROOT, "balanced/raw throughput per round: %s%n", ratios);
    for (int k = 0; k < names.length; k++) {
      List<Double> rps = new ArrayList<>();
      List<Double> p50 = new ArrayList<>();
      List<Double> p99 = new ArrayList<>();
      List<Double> cpu = new ArrayList<>();
      List<Double> bytes = new ArrayList<>();
      for (int i = k; i < results.size(); i += 3) {
        rps.add(results.get(i).rps());
        p50.add(results.get(i).p50Us());
        p99.add(results.get(i).p99Us());
        cpu.add(results.get(i).cpuUs());
        bytes.add(results.get(i).bytes());
      }
      System.out.printf(Locale.ROOT, "median %-20s %10.0f req/s   p50 %8.3f ms   p99 %8.3f ms   CPU %6.2f us/req   "
          + "alloc %6.0f B/req%n", names[k], median(rps), median(p50) / 1000, median(p99) / 1000, median(cpu),
          median(bytes));
    }
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    sorted.sort(null);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  private static int intArg(String[] args, String name, int def) {
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals(name)) {
        return Integer.parseInt(args[i + 1]);
      }
    }
    return def;
  }
}
