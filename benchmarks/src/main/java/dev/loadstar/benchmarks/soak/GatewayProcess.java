package dev.loadstar.benchmarks.soak;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The gateway under test as users run it: {@code java -jar loadstar.jar gateway --config FILE} in a child process,
 * with its listener and admin ports read from what it prints, and its resources read from /proc and the JDK's
 * {@code jcmd} and {@code jstat}.
 */
final class GatewayProcess implements AutoCloseable {

  /** Resources of the gateway process at one moment. */
  record Snapshot(long rssKb, long heapKb, long oldKb, long otherFds, long clientConnections,
      long targetConnections, long threads, Map<String, Integer> threadsByName) {

    /**
     * Threads outside the pools the JVM and Vert.x size themselves within fixed bounds: the JIT compiler threads
     * and GC threads (the JVM adds and retires them with load), and Vert.x's worker pool (at most 20).
     */
    long unboundedThreads() {
      long n = 0;
      for (Map.Entry<String, Integer> e : threadsByName.entrySet()) {
        if (!boundedPool(e.getKey())) {
          n += e.getValue();
        }
      }
      return n;
    }

    static boolean boundedPool(String name) {
      return name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler") || name.startsWith("G1 ")
          || name.startsWith("GC Thread") || name.startsWith("vert.x-worker-t");
    }
  }

  private static final Pattern LISTENER = Pattern.compile("^listener \\S+ \\(HTTP\\) on http://[^:]+:(\\d+)");
  private static final Pattern ADMIN = Pattern.compile("^admin API on http://[^:]+:(\\d+)/");

  private final Process process;
  private final int port;
  private final int adminPort;
  private final Path log;

  private GatewayProcess(Process process, int port, int adminPort, Path log) {
    this.process = process;
    this.port = port;
    this.adminPort = adminPort;
    this.log = log;
  }

  /** Starts the gateway on {@code config} and waits (at most 120 s) until it prints its ports. */
  static GatewayProcess start(Path jar, Path config, List<String> javaOptions, Path log) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(javaOptions);
    cmd.addAll(List.of("-jar", jar.toString(), "gateway", "--config", config.toString()));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    CompletableFuture<int[]> ports = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      int listener = -1;
      int admin = -1;
      try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
          PrintWriter out = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8), true)) {
        String line;
        while ((line = in.readLine()) != null) {
          out.println(line);
          Matcher m = LISTENER.matcher(line);
          if (m.find()) {
            listener = Integer.parseInt(m.group(1));
          }
          m = ADMIN.matcher(line);
          if (m.find()) {
            admin = Integer.parseInt(m.group(1));
          }
          if (line.startsWith("gateway running") && !ports.isDone()) {
            ports.complete(new int[] {listener, admin});
          }
        }
      } catch (IOException e) {
        ports.completeExceptionally(e);
      }
      ports.completeExceptionally(new IOException("the gateway exited before it ran; see " + log));
    }, "gateway-output");
    reader.setDaemon(true);
    reader.start();
    int[] found;
    try {
      found = ports.get(120, TimeUnit.SECONDS);
    } catch (Exception e) {
      p.destroyForcibly();
      throw new IOException("the gateway did not start: " + e.getMessage() + " (log: " + log + ")", e);
    }
    if (found[0] < 0) {
      p.destroyForcibly();
      throw new IOException("the gateway printed no HTTP listener (log: " + log + ")");
    }
    return new GatewayProcess(p, found[0], found[1], log);
  }

  int port() {
    return port;
  }

  long pid() {
    return process.pid();
  }

  boolean alive() {
    return process.isAlive();
  }

  Path log() {
    return log;
  }

  /**
   * Forces a full GC ({@code jcmd PID GC.run}), then reads the heap and the old generation ({@code jstat -gc}), RSS
   * and threads (/proc/PID/status), and descriptors (/proc/PID/fd), with the TCP connections accepted on the
   * listener's port and those to {@code targetPorts} counted apart (/proc/net/tcp).
   */
  Snapshot snapshot(Set<Integer> targetPorts) throws IOException, InterruptedException {
    long pid = process.pid();
    run(jdkTool("jcmd"), Long.toString(pid), "GC.run");
    List<String> gc = run(jdkTool("jstat"), "-gc", Long.toString(pid));
    if (gc.size() < 2) {
      throw new IOException("jstat -gc " + pid + " printed " + gc);
    }
    String[] names = gc.get(0).trim().split("\\s+");
    String[] values = gc.get(1).trim().split("\\s+");
    Map<String, Double> col = new HashMap<>();
    for (int i = 0; i < names.length && i < values.length; i++) {
      col.put(names[i], Double.parseDouble(values[i]));
    }
    long old = Math.round(col.getOrDefault("OU", 0.0));
    long heap = Math.round(col.getOrDefault("S0U", 0.0) + col.getOrDefault("S1U", 0.0) + col.getOrDefault("EU", 0.0))
        + old;
    Map<String, Long> status = new HashMap<>();
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
      String[] kv = line.split(":\\s*", 2);
      if (kv.length == 2 && (kv[0].equals("VmRSS") || kv[0].equals("Threads"))) {
        status.put(kv[0], Long.parseLong(kv[1].replace("kB", "").trim()));
      }
    }
    Set<String> socketInodes = new HashSet<>();
    long fds = 0;
    try (var dir = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "fd"))) {
      for (Path fd : dir) {
        fds++;
        try {
          String target = Files.readSymbolicLink(fd).toString();
          if (target.startsWith("socket:[")) {
            socketInodes.add(target.substring(8, target.length() - 1));
          }
        } catch (IOException closedMeanwhile) {
          // gone between the listing and the read
        }
      }
    }
    long clients = 0;
    long targets = 0;
    for (String table : new String[] {"/proc/net/tcp", "/proc/net/tcp6"}) {
      Path t = Path.of(table);
      if (!Files.exists(t)) {
        continue;
      }
      List<String> lines = Files.readAllLines(t);
      for (String line : lines.subList(1, lines.size())) {
        String[] f = line.trim().split("\\s+");
        if (f.length < 10 || !socketInodes.contains(f[9]) || f[3].equals("0A")) { // 0A: listening
          continue;
        }
        int local = portOf(f[1]);
        int remote = portOf(f[2]);
        if (local == port) {
          clients++;
        } else if (targetPorts.contains(remote)) {
          targets++;
        }
      }
    }
    return new Snapshot(status.getOrDefault("VmRSS", -1L), heap, old, fds - clients - targets, clients, targets,
        status.getOrDefault("Threads", -1L), threadsByName(pid));
  }

  /** Thread names (/proc/PID/task/TID/comm, 15 characters at most) with their digits as N, and their counts. */
  private static Map<String, Integer> threadsByName(long pid) throws IOException {
    Map<String, Integer> out = new java.util.TreeMap<>();
    try (var dir = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
      for (Path task : dir) {
        try {
          String name = Files.readString(task.resolve("comm")).trim().replaceAll("[0-9]+", "N");
          out.merge(name, 1, Integer::sum);
        } catch (IOException endedMeanwhile) {
          // the thread ended between the listing and the read
        }
      }
    }
    return out;
  }

  private static int portOf(String hexAddress) {
    return Integer.parseInt(hexAddress.substring(hexAddress.lastIndexOf(':') + 1), 16);
  }

  /** The admin API's Prometheus text, or a line saying why not. */
  String metrics() {
    if (adminPort <= 0) {
      return "(no admin API)";
    }
    try {
      // HTTP/1.1: the admin API checks the Host header, which an h2c-upgraded request does not carry
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5)).build();
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort
          + "/metrics")).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
      return r.body();
    } catch (IOException e) {
      return "(metrics: " + e + ")";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "(metrics: interrupted)";
    }
  }

  /** SIGTERM (the gateway closes in order), SIGKILL after 30 s. */
  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private static String jdkTool(String name) {
    Path p = Path.of(System.getProperty("java.home"), "bin", name);
    return Files.isExecutable(p) ? p.toString() : name;
  }

  private static List<String> run(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    List<String> lines = new ArrayList<>();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        lines.add(line);
      }
    }
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException(String.join(" ", cmd) + " did not finish within 60 s");
    }
    if (p.exitValue() != 0) {
      throw new IOException(String.join(" ", cmd) + " exited " + p.exitValue() + ": " + lines);
    }
    return lines;
  }
}
