package dev.loadstar.benchmarks.soak;

import dev.loadstar.benchmarks.soak.ChaosTargets.Behaviour;
import dev.loadstar.benchmarks.soak.ChaosTargets.ChildTarget;
import dev.loadstar.benchmarks.soak.ChaosTargets.ResetCounts;
import dev.loadstar.benchmarks.soak.GatewayProcess.Snapshot;
import dev.loadstar.core.config.Checks;
import dev.loadstar.core.config.Durations;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Soak and chaos: a bounded run of mixed GETs and POSTs at a steady open-loop rate through the gateway (the built
 * {@code loadstar.jar gateway --config}, a child process) to four targets: one SIGKILLed and restarted every
 * {@code --kill-every} (a child JVM), one resetting connections mid-request, one slow, one healthy. It reports failed
 * requests by method and reason, and the gateway's heap after a full GC, descriptors, connections and threads at
 * start and end; it exits 1 if a GET failed or a resource grew beyond its tolerance.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar dev.loadstar.benchmarks.soak.SoakChaos --duration 10m}
 * from the project root (see benchmarks/README.md for every option).
 */
public final class SoakChaos {

  private SoakChaos() {
  }

  /** Failures this soon after the killed target listens again are counted as part of its kill. */
  private static final int KILL_AFTERMATH_SECONDS = 5;

  /** Options, with their defaults. */
  static final class Options {
    Duration duration = Duration.ofMinutes(10);
    Duration warmup = Duration.ofSeconds(30);
    Duration ramp = Duration.ofSeconds(10);
    double rate = 2000;
    int postPercent = 20;
    int postBytes = 1024;
    Duration killEvery = Duration.ofSeconds(20);
    Duration down = Duration.ofSeconds(1);
    long slowMs = 100;
    int resetPercent = 100;
    int eventLoops = Runtime.getRuntime().availableProcessors();
    int maxConnectionsPerTarget = 64;
    Path jar = Path.of("samples/target/loadstar.jar");
    List<String> gatewayJavaOptions = List.of();
    Path report = Path.of("soak-chaos-results.md");
    int maxInFlight = 20_000;
    long heapTolerancePct = 20;
    long heapToleranceMb = 16;
    long fdTolerance = 16;
    long threadTolerance = 4;

    static Options parse(String[] args) {
      Options o = new Options();
      boolean warmupGiven = false;
      boolean rampGiven = false;
      for (int i = 0; i < args.length; i++) {
        String name = args[i];
        if (name.equals("--help") || name.equals("-h")) {
          throw new IllegalArgumentException("usage");
        }
        if (i + 1 >= args.length) {
          throw Checks.invalid(name, "(nothing)", "a value after the option");
        }
        String v = args[++i];
        switch (name) {
          case "--duration" -> o.duration = Durations.positive(name, Durations.parse(name, v));
          case "--warmup" -> {
            o.warmup = Durations.nonNegative(name, Durations.parse(name, v));
            warmupGiven = true;
          }
          case "--ramp" -> {
            o.ramp = Durations.nonNegative(name, Durations.parse(name, v));
            rampGiven = true;
          }
          case "--rate" -> o.rate = Checks.range(name, Double.parseDouble(v), 1, 100_000);
          case "--post-percent" -> o.postPercent = Checks.range(name, Integer.parseInt(v), 0, 100);
          case "--post-bytes" -> o.postBytes = Checks.range(name, Integer.parseInt(v), 0, 16 * 1024 * 1024);
          case "--kill-every" -> o.killEvery = Durations.positive(name, Durations.parse(name, v));
          case "--down" -> o.down = Durations.nonNegative(name, Durations.parse(name, v));
          case "--slow" -> o.slowMs = Durations.nonNegative(name, Durations.parse(name, v)).toMillis();
          case "--reset-percent" -> o.resetPercent = Checks.range(name, Integer.parseInt(v), 0, 100);
          case "--event-loops" -> o.eventLoops = Checks.range(name, Integer.parseInt(v), 1, 1024);
          case "--max-connections-per-target" ->
              o.maxConnectionsPerTarget = Checks.range(name, Integer.parseInt(v), 1, 100_000);
          case "--jar" -> o.jar = Path.of(v);
          case "--gateway-java-opts" -> o.gatewayJavaOptions =
              v.isBlank() ? List.of() : Arrays.asList(v.trim().split("\\s+"));
          case "--report" -> o.report = Path.of(v);
          case "--max-in-flight" -> o.maxInFlight = Checks.range(name, Integer.parseInt(v), 1, 1_000_000);
          case "--heap-tolerance-pct" -> o.heapTolerancePct = Checks.range(name, Long.parseLong(v), 0, 1000);
          case "--heap-tolerance-mb" -> o.heapToleranceMb = Checks.range(name, Long.parseLong(v), 0, 100_000);
          case "--fd-tolerance" -> o.fdTolerance = Checks.range(name, Long.parseLong(v), 0, 1_000_000);
          case "--thread-tolerance" -> o.threadTolerance = Checks.range(name, Long.parseLong(v), 0, 100_000);
          default -> throw Checks.invalid(name, v, "one of --duration, --warmup, --ramp, --rate, --post-percent,"
              + " --post-bytes, --kill-every, --down, --slow, --reset-percent, --event-loops,"
              + " --max-connections-per-target, --jar,"
              + " --gateway-java-opts, --report, --max-in-flight, --heap-tolerance-pct, --heap-tolerance-mb,"
              + " --fd-tolerance, --thread-tolerance");
        }
      }
      if (o.ramp.compareTo(o.warmup) > 0 && warmupGiven && rampGiven) {
        throw Checks.invalid("--ramp", Durations.format(o.ramp), "at most --warmup (" + Durations.format(o.warmup)
            + ")");
      }
      if (!warmupGiven) {
        o.warmup = o.warmup.compareTo(o.duration.dividedBy(4)) > 0 ? o.duration.dividedBy(4) : o.warmup;
      }
      if (o.ramp.compareTo(o.warmup) > 0) {
        o.ramp = o.warmup;
      }
      if (o.warmup.compareTo(o.duration) >= 0) {
        throw Checks.invalid("--warmup", Durations.format(o.warmup), "less than --duration ("
            + Durations.format(o.duration) + ")");
      }
      if (!Files.isRegularFile(o.jar)) {
        throw Checks.invalid("--jar", o.jar, "the built loadstar.jar (mvn -B -q -ntp -DskipTests package)");
      }
      return o;
    }
  }

  /** Runs the soak, or serves as the killable target with {@code --serve-target PORT ID}. */
  public static void main(String[] args) throws Exception {
    if (args.length == 3 && args[0].equals("--serve-target")) {
      ChaosTargets.serveChild(Integer.parseInt(args[1]), args[2]);
      return;
    }
    Options o;
    try {
      o = Options.parse(args);
    } catch (IllegalArgumentException e) {
      if (!"usage".equals(e.getMessage())) {
        System.err.println(e.getMessage());
      }
      System.err.println("usage: SoakChaos [--duration 10m] [--warmup 30s] [--ramp 10s] [--rate 2000]"
          + " [--post-percent 20] [--post-bytes 1024] [--kill-every 20s] [--down 1s] [--slow 100ms]"
          + " [--reset-percent 100]"
          + " [--event-loops N] [--max-connections-per-target 64] [--jar samples/target/loadstar.jar]"
          + " [--gateway-java-opts '...'] [--report soak-chaos-results.md] [--max-in-flight 20000]"
          + " [--heap-tolerance-pct 20] [--heap-tolerance-mb 16] [--fd-tolerance 16] [--thread-tolerance 4]");
      System.exit(2);
      return;
    }
    System.exit(new SoakChaos.Run(o).run());
  }

  /** One soak run: its processes, its load and its report. */
  private static final class Run {
    private final Options o;
    private final Path dir;
    private final Vertx targetsVertx = Vertx.vertx();
    private final Vertx loadVertx = Vertx.vertx();
    private final ResetCounts resets = new ResetCounts();
    private final AtomicLong kills = new AtomicLong();
    private final AtomicLong restartMillis = new AtomicLong();
    private final List<String> notes = new ArrayList<>();
    private ChildTarget killed;
    private GatewayProcess gateway;
    private volatile boolean chaosRunning = true;
    /** When the killable target was last killed, and when it listened again (System.nanoTime(); 0: never). */
    private volatile long lastKill;
    private volatile long lastRestart;

    Run(Options o) throws IOException {
      this.o = o;
      this.dir = Files.createTempDirectory("loadstar-soak-");
    }

    int run() throws Exception {
      Thread chaos = null;
      try {
        // ---- targets
        killed = new ChildTarget("killed", freePort());
        killed.start();
        int resetsPort = ChaosTargets.serve(targetsVertx, 0, "resets", Behaviour.RESETS, 0, o.resetPercent, resets)
            .await().actualPort();
        int slowPort = ChaosTargets.serve(targetsVertx, 0, "slow", Behaviour.SLOW, o.slowMs, 0, null)
            .await().actualPort();
        int healthyPort = ChaosTargets.serve(targetsVertx, 0, "healthy", Behaviour.HEALTHY, 0, 0, null)
            .await().actualPort();
        Map<String, Integer> targets = new LinkedHashMap<>();
        targets.put("killed", killed.port());
        targets.put("resets", resetsPort);
        targets.put("slow", slowPort);
        targets.put("healthy", healthyPort);

        // ---- gateway
        Path config = dir.resolve("soak.yaml");
        Files.writeString(config, config(targets));
        gateway = GatewayProcess.start(o.jar, config, o.gatewayJavaOptions, dir.resolve("gateway.log"));
        Runtime.getRuntime().addShutdownHook(new Thread(this::emergencyStop, "soak-emergency-stop"));
        waitForGateway();
        System.out.printf("soak: %s (warm-up %s) at %.0f req/s, %d%% POST of %d bytes, through the gateway pid %d"
                + " on :%d to %s; kill every %s (down %s), slow %d ms, resets %d%%; work dir %s%n",
            Durations.format(o.duration), Durations.format(o.warmup), o.rate, o.postPercent, o.postBytes,
            gateway.pid(), gateway.port(), targets, Durations.format(o.killEvery), Durations.format(o.down),
            o.slowMs, o.resetPercent, dir);

        // ---- load and chaos
        OpenLoopLoad load = new OpenLoopLoad(loadVertx, gateway.port(), o.rate, o.postPercent, o.postBytes,
            o.maxInFlight, 30_000, this::attribute);
        long begin = System.nanoTime();
        load.start(o.ramp);
        chaos = new Thread(this::chaosLoop, "soak-chaos");
        chaos.setDaemon(true);
        chaos.start();
        Set<Integer> targetPorts = Set.copyOf(targets.values());
        progressUntil(load, begin, begin + o.warmup.toNanos());
        Snapshot start = quiet(load, targetPorts, "start");
        load.start(Duration.ZERO);
        progressUntil(load, begin, begin + o.duration.toNanos());
        Snapshot end = quiet(load, targetPorts, "end");
        chaosRunning = false;
        chaos.interrupt();
        chaos.join(30_000);
        String metrics = gateway.metrics();
        Files.writeString(dir.resolve("metrics.txt"), metrics);
        boolean gatewayAlive = gateway.alive();
        return report(load, start, end, metrics, gatewayAlive, targets);
      } finally {
        chaosRunning = false;
        if (chaos != null) {
          chaos.interrupt();
        }
        if (gateway != null) {
          gateway.close();
        }
        if (killed != null) {
          killed.kill();
        }
        loadVertx.close().await();
        targetsVertx.close().await();
      }
    }

    private String config(Map<String, Integer> targets) {
      StringBuilder t = new StringBuilder();
      targets.forEach((id, port) -> t.append("      - {id: ").append(id).append(", host: 127.0.0.1, port: ")
          .append(port).append("}\n"));
      return "# Written by SoakChaos: one listener, one round-robin group of the four chaos targets.\n"
          + "listeners:\n"
          + "  - name: soak\n"
          + "    host: 127.0.0.1\n"
          + "    port: 0\n"
          + "    eventLoops: " + o.eventLoops + "\n"
          + "    maxConnectionsPerTarget: " + o.maxConnectionsPerTarget + "\n"
          + "    retryIdempotent: true\n"
          + "    attributes: {idle_timeout.timeout_seconds: 60}\n"
          + "    defaultActions:\n"
          + "      - type: forward\n"
          + "        targetGroupName: soak\n"
          + "targetGroups:\n"
          + "  - name: soak\n"
          + "    attributes:\n"
          + "      load_balancing.algorithm.type: round_robin\n"
          + "    healthCheck: {path: /health, intervalSeconds: 5, timeoutSeconds: 2, healthyThresholdCount: 2,"
          + " unhealthyThresholdCount: 2}\n"
          + "    targets:\n" + t
          + "admin:\n"
          + "  host: 127.0.0.1\n"
          + "  port: 0\n";
    }

    private void waitForGateway() throws Exception {
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2)).build();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (System.nanoTime() < deadline) {
        try {
          HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port()
              + "/ready")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
          if (r.statusCode() == 200) {
            return;
          }
        } catch (IOException notYet) {
          // retry
        }
        Thread.sleep(200);
      }
      throw new IOException("the gateway on :" + gateway.port() + " answered no 200 within 60 s (log: "
          + gateway.log() + ")");
    }

    /** Every --kill-every: SIGKILL the killable target, wait --down, start it again on the same port. */
    private void chaosLoop() {
      try {
        while (chaosRunning) {
          Thread.sleep(o.killEvery.toMillis());
          if (!chaosRunning) {
            return;
          }
          lastKill = System.nanoTime();
          killed.kill();
          kills.incrementAndGet();
          Thread.sleep(o.down.toMillis());
          killed.start();
          lastRestart = System.nanoTime();
          restartMillis.addAndGet(TimeUnit.NANOSECONDS.toMillis(lastRestart - lastKill));
        }
      } catch (InterruptedException stop) {
        Thread.currentThread().interrupt();
      } catch (IOException e) {
        synchronized (notes) {
          notes.add("the killed target could not be started again: " + e.getMessage());
        }
        chaosRunning = false;
      }
    }

    /** Where a failed request went wrong: the resetting target says which POSTs it cut; else the kill cycle. */
    private String attribute(String id) {
      if (id == null) {
        return "never sent";
      }
      if (resets.claim(id)) {
        return "cut by the resetting target";
      }
      return "not the resetting target; " + situation();
    }

    /** What the kill cycle was doing when a failure arrived. */
    private String situation() {
      long kill = lastKill;
      if (kill == 0) {
        return "before the first kill";
      }
      long restart = lastRestart;
      if (restart < kill) {
        return "killed target down";
      }
      return System.nanoTime() - restart < TimeUnit.SECONDS.toNanos(KILL_AFTERMATH_SECONDS)
          ? "killed target back within " + KILL_AFTERMATH_SECONDS + " s" : "between kills";
    }

    private void progressUntil(OpenLoopLoad load, long begin, long until) throws InterruptedException {
      long next = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (System.nanoTime() < until) {
        Thread.sleep(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(until - System.nanoTime()),
            TimeUnit.NANOSECONDS.toMillis(next - System.nanoTime()))));
        if (System.nanoTime() >= next) {
          next += TimeUnit.SECONDS.toNanos(10);
          System.out.printf("  %4ds  GET ok %d failed %d | POST ok %d failed %d | in flight %d | kills %d%n",
              TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - begin), load.ok(HttpMethod.GET),
              load.failed(HttpMethod.GET), load.ok(HttpMethod.POST), load.failed(HttpMethod.POST), load.inFlight(),
              kills.get());
        }
      }
    }

    /** Stops the load, lets what is in flight finish, closes the client connections, then measures the gateway. */
    private Snapshot quiet(OpenLoopLoad load, Set<Integer> targetPorts, String label) throws Exception {
      long left = load.pause(60_000);
      if (left > 0) {
        synchronized (notes) {
          notes.add(left + " requests were still in flight 60 s after the load paused for the " + label
              + " snapshot");
        }
      }
      Thread.sleep(2_000); // the gateway closes its side of the client connections
      Snapshot s = gateway.snapshot(targetPorts);
      System.out.println("  " + label + ": " + s);
      return s;
    }

    private int report(OpenLoopLoad load, Snapshot start, Snapshot end, String metrics, boolean gatewayAlive,
        Map<String, Integer> targets) throws IOException {
      StringBuilder r = new StringBuilder();
      long getFailed = load.failed(HttpMethod.GET);
      long postFailed = load.failed(HttpMethod.POST);
      r.append("# Soak and chaos through the gateway\n\n");
      r.append("- date: ").append(Instant.now()).append("\n");
      r.append("- load: ").append(Durations.format(o.duration)).append(" (the first ")
          .append(Durations.format(o.warmup)).append(" before the start snapshot, rising to full rate over the first ")
          .append(Durations.format(o.ramp)).append(") of open-loop requests at ")
          .append(String.format("%.0f", o.rate)).append(" req/s, ").append(o.postPercent).append("% POST with ")
          .append(o.postBytes).append(" bytes, the rest GET; latency counted from when a request was due\n");
      r.append("- gateway: `java ").append(String.join(" ", o.gatewayJavaOptions)).append(o.gatewayJavaOptions
          .isEmpty() ? "" : " ").append("-jar ").append(o.jar).append(" gateway --config soak.yaml`: round_robin over ")
          .append(targets.keySet()).append(", eventLoops ").append(o.eventLoops)
          .append(", maxConnectionsPerTarget ").append(o.maxConnectionsPerTarget)
          .append(", retryIdempotent, health checks on /health every 5 s (thresholds 2), outlier detection"
              + " defaults\n");
      r.append("- chaos: `killed` (a child JVM) SIGKILLed every ").append(Durations.format(o.killEvery))
          .append(", started again after ").append(Durations.format(o.down)).append(" (").append(kills.get())
          .append(" kills, back in ").append(kills.get() == 0 ? "-" : restartMillis.get() / kills.get() + " ms")
          .append(" on average); `resets` closes ").append(o.resetPercent)
          .append("% of its connections with an RST as soon as a request's headers arrive (health checks pass);"
              + " `slow` answers after ").append(o.slowMs).append(" ms; `healthy` at once\n\n");

      r.append("| | GET | POST |\n|---|---:|---:|\n");
      row(r, "sent", load.sent(HttpMethod.GET), load.sent(HttpMethod.POST));
      row(r, "ok (200)", load.ok(HttpMethod.GET), load.ok(HttpMethod.POST));
      row(r, "failed", getFailed, postFailed);
      r.append(String.format("| latency p50 / p99 / p99.9 / max ms | %.1f / %.1f / %.1f / %.1f | %.1f / %.1f / %.1f"
              + " / %.1f |%n", load.latencyMs(HttpMethod.GET, 50), load.latencyMs(HttpMethod.GET, 99),
          load.latencyMs(HttpMethod.GET, 99.9), load.maxLatencyMs(HttpMethod.GET),
          load.latencyMs(HttpMethod.POST, 50), load.latencyMs(HttpMethod.POST, 99),
          load.latencyMs(HttpMethod.POST, 99.9), load.maxLatencyMs(HttpMethod.POST)));
      r.append("\nFailed requests by reason, and where they went wrong (the resetting target records the POSTs it"
          + " cuts; for the others, what the kill cycle was doing when the failure arrived):\n\n"
          + "| method | reason | where | count | why |\n|---|---|---|---:|---|\n");
      if (load.failures().isEmpty()) {
        r.append("| - | - | - | 0 | |\n");
      }
      load.failures().forEach((k, n) -> {
        String[] mrw = k.split("\t", 3);
        r.append("| ").append(mrw[0]).append(" | ").append(mrw[1]).append(" | ").append(mrw[2]).append(" | ")
            .append(n).append(" | ").append(explain(mrw[0], mrw[1], mrw[2])).append(" |\n");
      });
      r.append("\nThe resetting target cut ").append(resets.get.get()).append(" GETs and ").append(resets.post.get())
          .append(" POSTs mid-request. 200 answers by target: ").append(load.answeredBy()).append(".\n");

      r.append("\nThe gateway's resources (2 s after the load paused and its client connections closed):\n\n");
      r.append("| measure | start | end | change | tolerance (end) | verdict |\n|---|---:|---:|---:|---:|---|\n");
      int grown = 0;
      long heapLimit = start.heapKb() + start.heapKb() * o.heapTolerancePct / 100 + o.heapToleranceMb * 1024;
      grown += verdict(r, "heap after full GC (KB)", start.heapKb(), end.heapKb(), heapLimit);
      verdict(r, "old generation after full GC (KB, information)", start.oldKb(), end.oldKb(), Long.MAX_VALUE);
      verdict(r, "RSS (KB, information)", start.rssKb(), end.rssKb(), Long.MAX_VALUE);
      grown += verdict(r, "file descriptors other than TCP connections", start.otherFds(), end.otherFds(),
          start.otherFds() + o.fdTolerance);
      grown += verdict(r, "client connections still open", start.clientConnections(), end.clientConnections(),
          start.clientConnections() + o.fdTolerance);
      long poolBound = (long) o.eventLoops * o.maxConnectionsPerTarget * targets.size();
      grown += verdict(r, "connections to targets (pooled)", start.targetConnections(), end.targetConnections(),
          poolBound);
      verdict(r, "threads, all (information)", start.threads(), end.threads(), Long.MAX_VALUE);
      grown += verdict(r, "threads outside the JIT, GC and Vert.x worker pools", start.unboundedThreads(),
          end.unboundedThreads(), start.unboundedThreads() + o.threadTolerance);
      r.append("\nThreads by name (digits as N) where the count changed: ");
      java.util.Set<String> names = new java.util.TreeSet<>(start.threadsByName().keySet());
      names.addAll(end.threadsByName().keySet());
      java.util.StringJoiner changed = new java.util.StringJoiner(", ", "", ".\n");
      changed.setEmptyValue("none.\n");
      for (String n : names) {
        int a = start.threadsByName().getOrDefault(n, 0);
        int b = end.threadsByName().getOrDefault(n, 0);
        if (a != b) {
          changed.add("`" + n + "` " + a + " → " + b);
        }
      }
      r.append(changed);

      r.append("\nThe gateway's counters at the end (admin /metrics):\n\n```\n");
      for (String line : metrics.split("\n")) {
        if (!line.startsWith("#") && (line.contains("HTTPCode_ELB_5") || line.contains("TargetConnectionError")
            || line.contains("RequestCountPerTarget") || line.contains("UnHealthyHostCount")
            || line.contains("HealthyHostCount"))) {
          r.append(line).append("\n");
        }
      }
      r.append("```\n(all of them: ").append(dir.resolve("metrics.txt")).append(")\n");
      synchronized (notes) {
        for (String n : notes) {
          r.append("\nNote: ").append(n).append("\n");
        }
      }
      List<String> fails = new ArrayList<>();
      if (getFailed > 0) {
        fails.add(getFailed + " GETs failed (must be 0)");
      }
      if (grown > 0) {
        fails.add(grown + " resource(s) grew beyond tolerance");
      }
      if (!gatewayAlive) {
        fails.add("the gateway process died");
      }
      if (kills.get() == 0) {
        fails.add("no target was killed (the run was shorter than --kill-every)");
      }
      if (!notes.isEmpty()) {
        fails.add("see the notes");
      }
      r.append("\nVerdict: ").append(fails.isEmpty() ? "PASS (0 failed GETs, resources flat)"
          : "FAIL: " + String.join("; ", fails)).append("\n");
      System.out.println();
      System.out.print(r);
      Files.writeString(o.report, r.toString());
      System.out.println("wrote " + o.report.toAbsolutePath() + " (gateway log: " + gateway.log() + ")");
      return fails.isEmpty() ? 0 : 1;
    }

    private static void row(StringBuilder r, String name, long get, long post) {
      r.append("| ").append(name).append(" | ").append(get).append(" | ").append(post).append(" |\n");
    }

    private static int verdict(StringBuilder r, String name, long start, long end, long limit) {
      boolean grew = end > limit;
      r.append(String.format("| %s | %d | %d | %+d | %s | %s |%n", name, start, end, end - start,
          limit == Long.MAX_VALUE ? "-" : "<= " + limit, grew ? "**grew**" : "ok"));
      return grew ? 1 : 0;
    }

    private static String explain(String method, String reason, String when) {
      if (reason.startsWith("not sent")) {
        return "the gateway fell behind the rate (its backlog reached --max-in-flight)";
      }
      if (reason.startsWith("client error")) {
        return "the connection to the gateway itself failed or timed out (30 s without a byte)";
      }
      if (method.equals("GET")) {
        return "must be 0: a GET whose target failed before answering is retried once on another target";
      }
      return switch (reason) {
        case "HTTP 502" -> (when.startsWith("cut") ? "the resetting target closed the connection after the POST"
            + " was sent" : when.contains("killed target") ? "the killed target died with the POST sent to it (or"
            + " the POST went out on a pooled connection the dead target had reset)" : "a target lost the connection"
            + " after the POST was sent")
            + ": by design, as the target may have acted, the gateway does not retry a non-idempotent request whose"
            + " connection was lost, and answers 502";
        case "HTTP 503" -> "no routable target in the group at that moment";
        case "HTTP 504" -> "the target did not answer within the idle timeout (60 s) or the connect timeout";
        default -> "";
      };
    }

    /** On SIGINT/SIGTERM of this JVM: do not leave the gateway or the killable target running. */
    private void emergencyStop() {
      chaosRunning = false;
      try {
        if (gateway != null && gateway.alive()) {
          gateway.close();
        }
        if (killed != null) {
          killed.kill();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress("127.0.0.1", 0));
      return s.getLocalPort();
    }
  }
}
