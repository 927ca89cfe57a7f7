package dev.loadstar.benchmarks.peers;

import dev.loadstar.core.RegisteredTarget;
import dev.loadstar.core.Target;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetGroupConfig;
import dev.loadstar.healthcheck.HealthCheck;
import dev.loadstar.healthcheck.HealthChecker;
import dev.loadstar.healthcheck.OutlierDetection;
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
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * Loadstar's gateway {@code HttpListener} against nginx as a reverse proxy, in front of the same two Vert.x backends,
 * on loopback, in the same run, alternating (the order rotates every round): closed-loop load ({@code --concurrency}
 * requests in flight for {@code --duration} seconds after {@code --warmup} seconds; before the first round each proxy
 * gets {@code --jit-warmup} seconds), req/s, p50/p99/p99.9 and failed requests (anything but a 200, or a connection
 * error, as seen by the client).
 *
 * <p>The two backends are separate JVMs (this class with {@code --serve-backend}), so a backend can be killed for
 * real ({@code SIGKILL}): with {@code --kill-at S} the second backend is killed S seconds into every measured phase and
 * restarted on the same port before the next phase ("dies mid-run"). The gateway (one forward rule, a round-robin
 * target group over both backends, default {@code ListenerConfig}) runs twice, one listener on one event loop and one
 * on {@code --gateway-event-loops N} (default: the listener's default, the number of available processors; with 1 there
 * is one gateway row). With {@code --outlier-detection} the group gets passive outlier detection (no active checks):
 * {@code --outlier-failures} failed requests in a row (default 5) eject a target for {@code --outlier-ejection}
 * seconds (default 30; nginx's own default is 1 failure and 10 s). Each gateway phase reports its retries (a pick of a
 * target that failed before answering, then retried on the other). The gateways and the load client run in this JVM;
 * nginx runs as child processes ({@code nginx -p <tmp> -c <conf> -g 'daemon off;'}), one with
 * {@code worker_processes 1} and one with {@code auto}, each with an {@code upstream} block over both backends and {@code keepalive 64} to them, every
 * other setting at nginx's default (so {@code proxy_next_upstream error timeout}). If no nginx binary is found the
 * nginx phases are skipped and the run says so.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar dev.loadstar.benchmarks.peers.PeerProxyBenchmark
 * --duration 8 --warmup 3 --concurrency 32 --rounds 3} (add {@code --kill-at 3} for the dies variant and
 * {@code --method POST} for a non-idempotent request with a 64-byte body).
 */
public final class PeerProxyBenchmark {

  private PeerProxyBenchmark() {
  }

  /** Runs the comparison, or serves as one backend with {@code --serve-backend <port>}. */
  public static void main(String[] args) throws Exception {
    if (args.length >= 2 && args[0].equals("--serve-backend")) {
      serveBackend(Integer.parseInt(args[1]));
      return;
    }
    int duration = intArg(args, "--duration", 8);
    int warmup = intArg(args, "--warmup", 3);
    int concurrency = intArg(args, "--concurrency", 32);
    int rounds = intArg(args, "--rounds", 3);
    int jitWarmup = intArg(args, "--jit-warmup", 10);
    int killAt = intArg(args, "--kill-at", 0);
    HttpMethod method = HttpMethod.valueOf(stringArg(args, "--method", "GET"));
    String nginxBin = stringArg(args, "--nginx", findNginx()); // "none": gateway only
    if ("none".equals(nginxBin)) {
      nginxBin = null;
    }
    String workers = stringArg(args, "--nginx-workers", "1,auto");
    int eventLoops = intArg(args, "--gateway-event-loops", ListenerConfig.builder().build().eventLoops());
    boolean outlierDetection = List.of(args).contains("--outlier-detection");
    int outlierFailures = intArg(args, "--outlier-failures", OutlierDetection.DEFAULT_CONSECUTIVE_FAILURES);
    int outlierEjection = intArg(args, "--outlier-ejection",
        (int) OutlierDetection.DEFAULT_BASE_EJECTION_TIME.getSeconds());

    Backend b0 = Backend.start(0);
    Backend b1 = Backend.start(0);
    int[] ports = {b0.port, b1.port};

    Vertx gateway = Vertx.vertx();
    Vertx load = Vertx.vertx();
    TargetGroup group = TargetGroup.create(gateway, TargetGroupConfig.builder("web").build());
    group.register(Target.of("b0", "127.0.0.1", ports[0]));
    group.register(Target.of("b1", "127.0.0.1", ports[1]));
    HealthChecker checker = null;
    OutlierDetection od = OutlierDetection.disabled();
    if (outlierDetection) {
      // passive only (the group has no active checks): failed requests eject a target for a while
      od = OutlierDetection.builder().consecutiveFailures(outlierFailures)
          .baseEjectionTime(Duration.ofSeconds(outlierEjection)).build();
      checker = HealthChecker.start(gateway, group, HealthCheck.defaults(), od);
    }
    // one gateway row on one event loop, one with the listener's default (or --gateway-event-loops)
    Map<String, Integer> proxies = new LinkedHashMap<>();
    List<HttpListener> listeners = new ArrayList<>();
    Map<String, HttpListener> gateways = new LinkedHashMap<>();
    for (int loops : eventLoops == 1 ? new int[] {1} : new int[] {1, eventLoops}) {
      HttpListener listener = HttpListener.builder(gateway)
          .config(ListenerConfig.builder().host("127.0.0.1").port(0).eventLoops(loops).build())
          .rules(RuleSet.of(Action.forward("web")))
          .targetGroups(Map.of("web", group)::get)
          .build();
      listener.start().await();
      listeners.add(listener);
      proxies.put("loadstar gateway loops=" + loops, listener.actualPort());
      gateways.put("loadstar gateway loops=" + loops, listener);
    }
    String reference = proxies.keySet().iterator().next();
    List<Nginx> nginxes = new ArrayList<>();
    if (nginxBin == null) {
      System.out.println("nginx: not found (install nginx-light or pass --nginx <path>): nginx phases skipped");
    } else {
      for (String w : workers.split(",")) {
        Nginx n = Nginx.start(nginxBin, w.trim(), ports);
        nginxes.add(n);
        proxies.put("nginx workers=" + w.trim(), n.port);
      }
    }
    HttpClient client = load.createHttpClient(new HttpClientOptions().setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(concurrency));
    Buffer body = method == HttpMethod.GET ? null : Buffer.buffer("y".repeat(64));

    System.out.printf("concurrency=%d duration=%ds warmup=%ds (first %ds) rounds=%d method=%s kill-at=%s cores=%d"
        + " nginx=%s gateway-event-loops=%d outlier-detection=%s%n", concurrency, duration, warmup, jitWarmup, rounds,
        method, killAt > 0 ? killAt + "s" : "none", Runtime.getRuntime().availableProcessors(),
        nginxBin == null ? "none" : nginxVersion(nginxBin), eventLoops, od);
    System.out.println("loadavg at start: " + loadAverage());
    Map<String, List<Result>> results = new LinkedHashMap<>();
    List<String> names = new ArrayList<>(proxies.keySet());
    for (String name : names) {
      results.put(name, new ArrayList<>());
      // JIT and connection warm-up: the gateway shares this JVM, whose C2 compiles need several seconds of load
      run(client, proxies.get(name), method, body, concurrency, jitWarmup, null);
    }
    for (int round = 1; round <= rounds; round++) {
      for (int i = 0; i < names.size(); i++) {
        String name = names.get((i + round - 1) % names.size()); // rotate the order every round
        int port = proxies.get(name);
        run(client, port, method, body, concurrency, warmup, null);
        Backend victim = killAt > 0 ? b1 : null;
        HttpListener gw = gateways.get(name);
        long retriesBefore = gw == null ? 0 : gw.stats().retries();
        Result r = run(client, port, method, body, concurrency, duration, victim == null ? null : () -> {
          sleepSeconds(killAt);
          victim.kill();
        });
        r.round = round;
        r.retries = gw == null ? -1 : gw.stats().retries() - retriesBefore;
        r.loadAverage = loadAverage();
        results.get(name).add(r);
        report(name, r, duration);
        if (victim != null) {
          b1 = Backend.start(ports[1]); // the same port, so the gateway's target and nginx's upstream see it again
        }
      }
    }

    System.out.println();
    System.out.println("| proxy | round | req/s | p50 ms | p99 ms | p99.9 ms | ok | failed | gateway retries"
        + " | loadavg after |");
    System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|");
    for (Map.Entry<String, List<Result>> e : results.entrySet()) {
      for (Result r : e.getValue()) {
        System.out.printf("| %s | %d | %,.0f | %.2f | %.2f | %.2f | %,d | %,d | %s | %s |%n", e.getKey(), r.round,
            r.ok.get() / (double) duration, ms(r.latency.getValueAtPercentile(50)),
            ms(r.latency.getValueAtPercentile(99)), ms(r.latency.getValueAtPercentile(99.9)), r.ok.get(),
            r.failed.get(), r.retries < 0 ? "-" : String.format("%,d", r.retries), r.loadAverage);
      }
    }
    System.out.println();
    System.out.println("medians over rounds (req/s, ratio to " + reference + "):");
    double gatewayMedian = median(results.get(reference), duration);
    for (Map.Entry<String, List<Result>> e : results.entrySet()) {
      double m = median(e.getValue(), duration);
      long failed = e.getValue().stream().mapToLong(r -> r.failed.get()).sum();
      System.out.printf("  %-30s %,9.0f req/s  x%.2f  failed (all rounds) %d%n", e.getKey(), m, m / gatewayMedian,
          failed);
    }
    for (HttpListener l : listeners) {
      System.out.println("gateway stats (" + l.balancerName() + "): " + l.stats());
    }
    for (RegisteredTarget t : group.targets()) {
      System.out.println("target " + t.target().id() + ": " + t.health());
    }
    System.out.println("loadavg at end: " + loadAverage());

    client.close().await();
    for (HttpListener l : listeners) {
      l.close().await();
    }
    if (checker != null) {
      checker.close().await();
    }
    group.close().await();
    load.close().await();
    gateway.close().await();
    for (Nginx n : nginxes) {
      n.stop();
    }
    b0.kill();
    b1.kill();
  }

  // ---- load ------------------------------------------------------------------------------------------------------

  private static final class Result {
    final Histogram latency = new Histogram(TimeUnit.SECONDS.toMicros(30), 3);
    final AtomicLong ok = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    int round;
    /** The gateway's retries during the phase (a pick of a dead target it then retried elsewhere); -1 for nginx. */
    long retries;
    String loadAverage;
  }

  private static Result run(HttpClient client, int port, HttpMethod method, Buffer body, int concurrency,
      int seconds, Runnable during) throws InterruptedException {
    Result r = new Result();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    CountDownLatch done = new CountDownLatch(concurrency);
    for (int i = 0; i < concurrency; i++) {
      loop(client, port, method, body, deadline, r, done);
    }
    if (during != null) {
      Thread t = new Thread(during, "peer-proxy-during");
      t.setDaemon(true);
      t.start();
    }
    if (!done.await(seconds + 60L, TimeUnit.SECONDS)) {
      throw new IllegalStateException("load loop did not finish within " + (seconds + 60) + " s");
    }
    return r;
  }

  private static void loop(HttpClient client, int port, HttpMethod method, Buffer body, long deadline, Result r,
      CountDownLatch done) {
    if (System.nanoTime() >= deadline) {
      done.countDown();
      return;
    }
    long start = System.nanoTime();
    client.request(method, port, "127.0.0.1", "/")
        .compose(req -> (body == null ? req.send() : req.send(body))
            .compose(resp -> resp.body().map(b -> resp.statusCode())))
        .timeout(30, TimeUnit.SECONDS)
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
          loop(client, port, method, body, deadline, r, done);
        });
  }

  private static void report(String name, Result r, int seconds) {
    Histogram h = r.latency;
    System.out.printf("round %d %-30s %9.0f req/s  p50 %7.2f ms  p99 %7.2f ms  p99.9 %7.2f ms  ok %d  failed %d%s"
            + "  loadavg %s%n", r.round, name, r.ok.get() / (double) seconds, ms(h.getValueAtPercentile(50)),
        ms(h.getValueAtPercentile(99)), ms(h.getValueAtPercentile(99.9)), r.ok.get(), r.failed.get(),
        r.retries < 0 ? "" : "  retries " + r.retries, r.loadAverage);
  }

  private static double median(List<Result> rs, int seconds) {
    double[] v = rs.stream().mapToDouble(r -> r.ok.get() / (double) seconds).sorted().toArray();
    return v.length == 0 ? Double.NaN : v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  private static double ms(long micros) {
    return micros / 1000.0;
  }

  // ---- backends --------------------------------------------------------------------------------------------------

  /** One backend: a Vert.x HTTP server answering every request (after reading its body) with 256 bytes. */
  private static void serveBackend(int port) throws Exception {
    Vertx vertx = Vertx.vertx();
    Buffer payload = Buffer.buffer("x".repeat(256));
    int actual = vertx.createHttpServer()
        .requestHandler(req -> req.body().onComplete(ar -> req.response().end(payload)))
        .listen(port, "127.0.0.1").await().actualPort();
    System.out.println("PORT " + actual);
    System.out.flush();
    // Serve until the parent closes our stdin or kills us.
    while (System.in.read() >= 0) {
      // discard
    }
    vertx.close().await();
  }

  /** A backend JVM, started from this jar. */
  private static final class Backend {
    final Process process;
    final int port;

    private Backend(Process process, int port) {
      this.process = process;
      this.port = port;
    }

    static Backend start(int port) throws IOException {
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      Process p = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
          PeerProxyBenchmark.class.getName(), "--serve-backend", Integer.toString(port))
          .redirectError(ProcessBuilder.Redirect.INHERIT)
          .start();
      BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      String line;
      while ((line = out.readLine()) != null) {
        if (line.startsWith("PORT ")) {
          return new Backend(p, Integer.parseInt(line.substring(5).trim()));
        }
      }
      p.destroyForcibly();
      throw new IOException("backend exited before reporting its port");
    }

    /** SIGKILL: the kernel resets its connections and refuses new ones. */
    void kill() {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  // ---- nginx -----------------------------------------------------------------------------------------------------

  private static String findNginx() {
    for (String p : new String[] {"/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/local/nginx/sbin/nginx"}) {
      if (new File(p).canExecute()) {
        return p;
      }
    }
    return null;
  }

  private static String nginxVersion(String bin) {
    try {
      Process p = new ProcessBuilder(bin, "-v").redirectErrorStream(true).start();
      String v = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      p.waitFor(5, TimeUnit.SECONDS);
      return v.replace("nginx version: ", "");
    } catch (IOException | InterruptedException e) {
      return "unknown";
    }
  }

  /** An nginx child process with its own prefix directory, config and port. */
  private static final class Nginx {
    final Process process;
    final Path dir;
    final int port;

    private Nginx(Process process, Path dir, int port) {
      this.process = process;
      this.dir = dir;
      this.port = port;
    }

    static Nginx start(String bin, String workers, int[] backendPorts) throws Exception {
      Path dir = Files.createTempDirectory("loadstar-nginx-");
      int port = freePort();
      StringBuilder upstream = new StringBuilder();
      for (int p : backendPorts) {
        upstream.append("    server 127.0.0.1:").append(p).append(";\n");
      }
      boolean root = "root".equals(System.getProperty("user.name"));
      String conf = (root ? "user root;\n" : "")
          + "worker_processes " + workers + ";\n"
          + "pid " + dir.resolve("nginx.pid") + ";\n"
          + "error_log " + dir.resolve("error.log") + " warn;\n"
          + "events { worker_connections 4096; }\n"
          + "http {\n"
          + "  access_log off;\n"
          + "  client_body_temp_path " + dir.resolve("body") + ";\n"
          + "  proxy_temp_path " + dir.resolve("proxy") + ";\n"
          + "  fastcgi_temp_path " + dir.resolve("fastcgi") + ";\n"
          + "  uwsgi_temp_path " + dir.resolve("uwsgi") + ";\n"
          + "  scgi_temp_path " + dir.resolve("scgi") + ";\n"
          + "  upstream backends {\n" + upstream
          + "    keepalive 64;\n"
          + "  }\n"
          + "  server {\n"
          + "    listen 127.0.0.1:" + port + ";\n"
          + "    location / {\n"
          + "      proxy_pass http://backends;\n"
          + "      proxy_http_version 1.1;\n"
          + "      proxy_set_header Connection \"\";\n"
          + "    }\n"
          + "  }\n"
          + "}\n";
      Path confFile = dir.resolve("nginx.conf");
      Files.writeString(confFile, conf);
      Process p = new ProcessBuilder(bin, "-p", dir.toString(), "-c", confFile.toString(), "-g", "daemon off;")
          .redirectErrorStream(true)
          .redirectOutput(dir.resolve("stdout.log").toFile())
          .start();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (System.nanoTime() < deadline) {
        if (!p.isAlive()) {
          throw new IOException("nginx exited (" + p.exitValue() + "): " + Files.readString(dir.resolve("stdout.log"))
              + readIfExists(dir.resolve("error.log")));
        }
        try (Socket s = new Socket()) {
          s.connect(new InetSocketAddress("127.0.0.1", port), 200);
          return new Nginx(p, dir, port);
        } catch (IOException notYet) {
          Thread.sleep(50);
        }
      }
      p.destroyForcibly();
      throw new IOException("nginx did not listen on " + port + " within 10 s");
    }

    /** SIGTERM (nginx's fast shutdown), then SIGKILL if it lingers; removes the prefix directory. */
    void stop() throws Exception {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
      String errors = readIfExists(dir.resolve("error.log"));
      if (!errors.isBlank()) {
        String[] lines = errors.split("\n");
        System.out.println("nginx error.log (" + dir.getFileName() + "), " + lines.length + " lines, last 5:");
        for (int i = Math.max(0, lines.length - 5); i < lines.length; i++) {
          System.out.println("  " + lines[i]);
        }
      }
      try (var walk = Files.walk(dir)) {
        walk.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }

  private static String readIfExists(Path f) throws IOException {
    return Files.exists(f) ? Files.readString(f) : "";
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress("127.0.0.1", 0));
      return s.getLocalPort();
    }
  }

  // ---- misc ------------------------------------------------------------------------------------------------------

  private static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException e) {
      return "n/a";
    }
  }

  private static void sleepSeconds(int s) {
    try {
      Thread.sleep(TimeUnit.SECONDS.toMillis(s));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static int intArg(String[] args, String name, int def) {
    String v = stringArg(args, name, null);
    return v == null ? def : Integer.parseInt(v);
  }

  private static String stringArg(String[] args, String name, String def) {
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals(name)) {
        return args[i + 1];
      }
    }
    return def;
  }
}
