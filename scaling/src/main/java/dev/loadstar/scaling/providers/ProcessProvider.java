package dev.loadstar.scaling.providers;

import dev.loadstar.core.config.Checks;
import dev.loadstar.core.time.TimeSource;
import dev.loadstar.scaling.LaunchTemplate;
import dev.loadstar.scaling.internal.InstanceIds;
import dev.loadstar.scaling.internal.Zones;
import dev.loadstar.scaling.spi.InstanceProvider;
import dev.loadstar.scaling.spi.ProviderInstance;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import java.io.File;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The {@code process} provider: each instance is an operating-system process started from a command template, with
 * an assigned port and its instance id in its environment.
 *
 * <p>Launch template parameters:
 * <ul>
 *   <li>{@code command}: the command line, split on whitespace, or {@code command.0}, {@code command.1}, ... for
 *       arguments containing spaces; {@code ${port}}, {@code ${host}} and {@code ${instanceId}} are replaced;</li>
 *   <li>{@code env.NAME}: extra environment variables; the process also gets {@code LOADSTAR_INSTANCE_ID},
 *       {@code LOADSTAR_PORT} and {@code LOADSTAR_HOST};</li>
 *   <li>{@code host} (default {@code 127.0.0.1}), {@code workingDirectory}, {@code readyTimeoutMs} (how long to
 *       wait for the port to accept connections, default 30000), {@code terminateTimeoutMs} (how long after the
 *       graceful signal the process is killed, default 10000);</li>
 *   <li>{@code stateDirectory}: where to record each instance (pid, port, start time) so that a provider in a later
 *       run describes, adopts and terminates the processes an earlier run started.</li>
 * </ul>
 * Terminating sends the graceful signal (SIGTERM), then kills the process after the timeout. A process that dies on
 * its own is described as {@code STOPPED}. Closing the provider terminates the processes it knows, except those
 * recorded in a state directory, which are left running for the next run.
 *
 * <p>Zones: a provider made with a list of zones ({@link #ProcessProvider(Vertx, List)}) starts each process in the
 * zone the scaling group asks for: {@code ${zone}} in the command is replaced, the process gets
 * {@code LOADSTAR_ZONE}, the state file records it, and the instance's target carries it.
 */
public final class ProcessProvider implements InstanceProvider {

  /** The provider name. */
  public static final String NAME = "process";
  /** Environment variable holding the instance id. */
  public static final String ENV_INSTANCE_ID = "LOADSTAR_INSTANCE_ID";
  /** Environment variable holding the assigned port. */
  public static final String ENV_PORT = "LOADSTAR_PORT";
  /** Environment variable holding the host to bind. */
  public static final String ENV_HOST = "LOADSTAR_HOST";
  /** Environment variable holding the instance's availability zone (absent without zones). */
  public static final String ENV_ZONE = "LOADSTAR_ZONE";

  private static final long PROBE_INTERVAL_MS = 50;
  private static final String STATE_SUFFIX = ".instance";

  private final Vertx vertx;
  private final TimeSource time;
  private final NetClient probes;
  private final ConcurrentHashMap<String, Entry> processes = new ConcurrentHashMap<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final List<String> zones;

  private static final class Entry {
    final ProviderInstance instance;
    final ProcessHandle process;
    final long terminateTimeoutMs;
    final Path stateFile;

    Entry(ProviderInstance instance, ProcessHandle process, long terminateTimeoutMs, Path stateFile) {
      this.instance = instance;
      this.process = process;
      this.terminateTimeoutMs = terminateTimeoutMs;
      this.stateFile = stateFile;
    }
  }

  /** A provider using the given Vert.x instance for blocking starts, timers and readiness probes, without zones. */
  public ProcessProvider(Vertx vertx) {
    this(vertx, List.of());
  }

  /** A provider launching into the given availability zones (non-blank, unique). */
  public ProcessProvider(Vertx vertx, List<String> zones) {
    this(vertx, zones, TimeSource.system(vertx));
  }

  /**
   * A provider launching into the given availability zones (non-blank, unique) whose readiness deadline, probe
   * interval, kill timeout and launch times run on {@code time}.
   */
  public ProcessProvider(Vertx vertx, List<String> zones, TimeSource time) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.time = Objects.requireNonNull(time, "time");
    this.zones = Zones.check(zones);
    this.probes = vertx.createNetClient(new NetClientOptions().setConnectTimeout(1000));
  }

  @Override
  public List<String> zones() {
    return zones;
  }

  @Override
  public String name() {
    return NAME;
  }

  /** The process of an instance, or {@code null} when the provider does not know it. */
  public ProcessHandle process(String instanceId) {
    Entry e = processes.get(instanceId);
    return e == null ? null : e.process;
  }

  /** Launches without a zone: the first of {@link #zones()} when the provider has zones. */
  @Override
  public Future<ProviderInstance> launch(String groupName, LaunchTemplate template) {
    return launch(groupName, template, zones.isEmpty() ? null : zones.get(0));
  }

  @Override
  public Future<ProviderInstance> launch(String groupName, LaunchTemplate template, String zone) {
    if (closed.get()) {
      return Future.failedFuture(new IllegalStateException("the process provider is closed"));
    }
    IllegalArgumentException badZone = Zones.unknown(zone, zones);
    if (badZone != null) {
      return Future.failedFuture(badZone);
    }
    String zoneText = zone == null ? "" : zone;
    String id = InstanceIds.next();
    String host = template.parameter("host", "127.0.0.1");
    long readyTimeoutMs;
    long terminateTimeoutMs;
    List<String> rawCommand;
    try {
      readyTimeoutMs = millis(template, "readyTimeoutMs", 30_000);
      terminateTimeoutMs = millis(template, "terminateTimeoutMs", 10_000);
      rawCommand = command(template);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    Path stateDir = stateDirectory(template);
    return vertx.<Entry>executeBlocking(() -> {
      int port = freePort(host);
      List<String> cmd = new ArrayList<>();
      for (String arg : rawCommand) {
        cmd.add(arg.replace("${port}", Integer.toString(port)).replace("${host}", host).replace("${instanceId}", id)
            .replace("${zone}", zoneText));
      }
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD);
      String dir = template.parameter("workingDirectory", null);
      if (dir != null) {
        pb.directory(new File(dir));
      }
      Map<String, String> env = pb.environment();
      template.parameters().forEach((k, v) -> {
        if (k.startsWith("env.")) {
          env.put(k.substring(4), v);
        }
      });
      env.put(ENV_INSTANCE_ID, id);
      env.put(ENV_PORT, Integer.toString(port));
      env.put(ENV_HOST, host);
      if (zone != null) {
        env.put(ENV_ZONE, zone);
      }
      ProcessHandle process = pb.start().toHandle();
      ProviderInstance pi = new ProviderInstance(id, host, port, ProviderInstance.State.RUNNING,
          Instant.ofEpochMilli(time.currentTimeMillis()),
          groupName, metadata(process.pid()), zone);
      Path stateFile = null;
      if (stateDir != null) {
        stateFile = stateDir.resolve(id + STATE_SUFFIX);
        writeState(stateFile, pi, process, terminateTimeoutMs);
      }
      Entry e = new Entry(pi, process, terminateTimeoutMs, stateFile);
      processes.put(id, e);
      return e;
    }, false).compose(e -> awaitReady(e, time.nanoTime() + readyTimeoutMs * 1_000_000).transform(ar -> {
      if (ar.succeeded()) {
        return Future.succeededFuture(e.instance);
      }
      processes.remove(e.instance.id());
      e.process.destroyForcibly();
      return deleteState(e).transform(x -> Future.failedFuture(ar.cause()));
    }));
  }

  private Future<Void> awaitReady(Entry e, long deadlineNanos) {
    Promise<Void> ready = Promise.promise();
    probe(e, deadlineNanos, ready);
    return ready.future();
  }

  private void probe(Entry e, long deadlineNanos, Promise<Void> ready) {
    if (!e.process.isAlive()) {
      ready.tryFail(new IllegalStateException("the process exited before listening on port " + e.instance.port()));
      return;
    }
    if (closed.get()) {
      ready.tryFail(new IllegalStateException("the process provider is closed"));
      return;
    }
    probes.connect(e.instance.port(), e.instance.host()).onComplete(ar -> {
      if (ar.succeeded()) {
        ar.result().close();
        ready.tryComplete();
      } else if (time.nanoTime() - deadlineNanos > 0) {
        ready.tryFail(new IllegalStateException("the process did not listen on " + e.instance.host() + ":"
            + e.instance.port() + " in time"));
      } else {
        time.setTimer(PROBE_INTERVAL_MS, () -> probe(e, deadlineNanos, ready));
      }
    });
  }

  @Override
  public Future<Void> terminate(String instanceId) {
    Entry e = processes.remove(instanceId);
    if (e == null) {
      return Future.succeededFuture();
    }
    if (!e.process.isAlive()) {
      return deleteState(e);
    }
    Promise<Void> gone = Promise.promise();
    e.process.onExit().whenComplete((p, err) -> gone.tryComplete());
    e.process.destroy();
    long timer = time.setTimer(Math.max(1, e.terminateTimeoutMs), () -> {
      if (e.process.isAlive()) {
        e.process.destroyForcibly();
      }
    });
    return gone.future().andThen(ar -> time.cancelTimer(timer)).compose(v -> deleteState(e));
  }

  @Override
  public Future<List<ProviderInstance>> describe(String groupName, LaunchTemplate template) {
    Path stateDir = stateDirectory(template);
    Future<Void> adopted = stateDir == null ? Future.succeededFuture() : vertx.executeBlocking(() -> {
      adoptRecorded(stateDir, groupName);
      return null;
    }, false);
    return adopted.map(v -> {
      List<ProviderInstance> out = new ArrayList<>();
      for (Entry e : processes.values()) {
        if (Objects.equals(e.instance.groupName(), groupName)) {
          out.add(e.process.isAlive() ? e.instance : e.instance.withState(ProviderInstance.State.STOPPED));
        }
      }
      return out;
    });
  }

  /** Reads the state directory and takes over the group's recorded processes that still run. Blocking. */
  private void adoptRecorded(Path dir, String groupName) throws IOException {
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + STATE_SUFFIX)) {
      for (Path file : files) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
          p.load(r);
        } catch (IOException | IllegalArgumentException e) {
          continue;
        }
        String id = p.getProperty("id");
        if (id == null || !groupName.equals(p.getProperty("group")) || processes.containsKey(id)) {
          continue;
        }
        Optional<ProcessHandle> handle = ProcessHandle.of(Long.parseLong(p.getProperty("pid", "-1")));
        String recordedStart = p.getProperty("processStart", "");
        boolean same = handle.isPresent() && handle.get().isAlive() && handle.get().info().startInstant()
            .map(Instant::toString).orElse("").equals(recordedStart);
        if (!same) {
          Files.deleteIfExists(file);
          continue;
        }
        ProviderInstance pi = new ProviderInstance(id, p.getProperty("host"), Integer.parseInt(p.getProperty("port")),
            ProviderInstance.State.RUNNING, Instant.parse(p.getProperty("launchTime")), groupName,
            metadata(handle.get().pid()), p.getProperty("zone"));
        processes.putIfAbsent(id, new Entry(pi, handle.get(), Long.parseLong(p.getProperty("terminateTimeoutMs",
            "10000")), file));
      }
    }
  }

  private static void writeState(Path file, ProviderInstance pi, ProcessHandle process, long terminateTimeoutMs)
      throws IOException {
    Files.createDirectories(file.getParent());
    Properties p = new Properties();
    p.setProperty("id", pi.id());
    p.setProperty("group", pi.groupName());
    p.setProperty("host", pi.host());
    p.setProperty("port", Integer.toString(pi.port()));
    p.setProperty("pid", Long.toString(process.pid()));
    p.setProperty("processStart", process.info().startInstant().map(Instant::toString).orElse(""));
    p.setProperty("launchTime", pi.launchTime().toString());
    if (pi.zone() != null) {
      p.setProperty("zone", pi.zone());
    }
    p.setProperty("terminateTimeoutMs", Long.toString(terminateTimeoutMs));
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
      p.store(w, "loadstar process instance");
    }
    Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  private Future<Void> deleteState(Entry e) {
    if (e.stateFile == null) {
      return Future.succeededFuture();
    }
    return vertx.executeBlocking(() -> {
      Files.deleteIfExists(e.stateFile);
      return null;
    }, false);
  }

  @Override
  public Future<Void> close() {
    if (!closed.compareAndSet(false, true)) {
      return Future.succeededFuture();
    }
    List<Future<Void>> all = new ArrayList<>();
    for (Map.Entry<String, Entry> e : processes.entrySet()) {
      if (e.getValue().stateFile == null) {
        all.add(terminate(e.getKey()));
      }
    }
    processes.clear();
    return Future.join(all).eventually(() -> probes.close()).mapEmpty();
  }

  private static Map<String, String> metadata(long pid) {
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("provider", NAME);
    meta.put("pid", Long.toString(pid));
    return meta;
  }

  private static Path stateDirectory(LaunchTemplate template) {
    String dir = template.parameter("stateDirectory", null);
    return dir == null || dir.isBlank() ? null : Path.of(dir);
  }

  private static List<String> command(LaunchTemplate template) {
    List<String> cmd = new ArrayList<>();
    for (int i = 0; template.parameters().containsKey("command." + i); i++) {
      cmd.add(template.parameters().get("command." + i));
    }
    if (cmd.isEmpty()) {
      String line = template.parameter("command", "");
      for (String s : line.trim().split("\\s+")) {
        if (!s.isEmpty()) {
          cmd.add(s);
        }
      }
    }
    if (cmd.isEmpty()) {
      throw Checks.invalid("command", "\"\"", "a command line, e.g. java -jar app.jar --port ${port}");
    }
    return cmd;
  }

  private static long millis(LaunchTemplate template, String name, long defaultValue) {
    String v = template.parameter(name, Long.toString(defaultValue));
    try {
      return Checks.range(name, Long.parseLong(v), 0, 3_600_000);
    } catch (NumberFormatException e) {
      throw Checks.invalid(name, v, "a number of milliseconds");
    }
  }

  private static int freePort(String host) throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(host))) {
      return s.getLocalPort();
    }
  }
}
