package dev.loadstar.scaling.providers;

import dev.loadstar.core.config.Checks;
import dev.loadstar.core.time.TimeSource;
import dev.loadstar.scaling.LaunchTemplate;
import dev.loadstar.scaling.internal.InstanceIds;
import dev.loadstar.scaling.internal.Zones;
import dev.loadstar.scaling.spi.InstanceProvider;
import dev.loadstar.scaling.spi.ProviderInstance;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The embedded default provider ({@code in-process}): each instance is a Vert.x HTTP server in this JVM on its own
 * port, serving a page with its instance id, like the user-data web server of an EC2 instance
 * ({@code <h1>i-0abc...</h1>}).
 *
 * <p>Launch template parameters: {@code host} (default {@code 127.0.0.1}), {@code body} (the page; {@code ${instanceId}}
 * is replaced; default {@code <h1>${instanceId}</h1>}), {@code responseDelayMs} (delay before each response, default 0).
 * {@link #stopWebServer(String)} stops only an instance's web server while the instance stays running (the seed's
 * {@code service httpd stop}).
 *
 * <p>Zones: a provider made with a list of zones ({@link #InProcessProvider(Vertx, List)}) launches each instance in
 * the zone the scaling group asks for (its {@code ${zone}} placeholder in {@code body} is replaced, and its target
 * carries the zone); zones are labels here, as every instance runs in this JVM.
 */
public final class InProcessProvider implements InstanceProvider {

  /** The provider name. */
  public static final String NAME = "in-process";

  private final Vertx vertx;
  private final TimeSource time;
  private final ConcurrentHashMap<String, Entry> instances = new ConcurrentHashMap<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final List<String> zones;

  private static final class Entry {
    final ProviderInstance instance;
    final String body;
    final long delayMs;
    volatile HttpServer server;

    Entry(ProviderInstance instance, String body, long delayMs, HttpServer server) {
      this.instance = instance;
      this.body = body;
      this.delayMs = delayMs;
      this.server = server;
    }
  }

  /** A provider whose servers run on the given Vert.x instance, without zones. */
  public InProcessProvider(Vertx vertx) {
    this(vertx, List.of());
  }

  /** A provider launching into the given availability zones (non-blank, unique). */
  public InProcessProvider(Vertx vertx, List<String> zones) {
    this(vertx, zones, TimeSource.system(vertx));
  }

  /**
   * A provider launching into the given availability zones (non-blank, unique), reading launch times from
   * {@code time} and setting response delays on it.
   */
  public InProcessProvider(Vertx vertx, List<String> zones, TimeSource time) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.time = Objects.requireNonNull(time, "time");
    this.zones = Zones.check(zones);
  }

  @Override
  public List<String> zones() {
    return zones;
  }

  @Override
  public String name() {
    return NAME;
  }

  /** Launches without a zone: the first of {@link #zones()} when the provider has zones. */
  @Override
  public Future<ProviderInstance> launch(String groupName, LaunchTemplate template) {
    return launch(groupName, template, zones.isEmpty() ? null : zones.get(0));
  }

  @Override
  public Future<ProviderInstance> launch(String groupName, LaunchTemplate template, String zone) {
    if (closed.get()) {
      return Future.failedFuture(new IllegalStateException("the in-process provider is closed"));
    }
    IllegalArgumentException badZone = Zones.unknown(zone, zones);
    if (badZone != null) {
      return Future.failedFuture(badZone);
    }
    String id = InstanceIds.next();
    String host = template.parameter("host", "127.0.0.1");
    String body = template.parameter("body", "<h1>${instanceId}</h1>").replace("${instanceId}", id)
        .replace("${zone}", zone == null ? "" : zone);
    long delayMs;
    try {
      delayMs = Checks.range("responseDelayMs", Long.parseLong(template.parameter("responseDelayMs", "0")), 0, 60_000);
    } catch (NumberFormatException e) {
      return Future.failedFuture(Checks.invalid("responseDelayMs", template.parameter("responseDelayMs", ""),
          "a number of milliseconds"));
    }
    return startServer(id, body, delayMs, host, 0).map(server -> {
      ProviderInstance pi = new ProviderInstance(id, host, server.actualPort(), ProviderInstance.State.RUNNING,
          Instant.ofEpochMilli(time.currentTimeMillis()), groupName, Map.of("provider", NAME), zone);
      instances.put(id, new Entry(pi, body, delayMs, server));
      if (closed.get()) {
        server.close();
      }
      return pi;
    });
  }

  private Future<HttpServer> startServer(String id, String body, long delayMs, String host, int port) {
    return vertx.createHttpServer().requestHandler(req -> respond(req, body, delayMs)).listen(port, host);
  }

  private void respond(HttpServerRequest req, String body, long delayMs) {
    if (delayMs == 0) {
      req.response().putHeader("content-type", "text/html; charset=utf-8").end(body);
    } else {
      time.setTimer(delayMs, () -> req.response().putHeader("content-type", "text/html; charset=utf-8").end(body));
    }
  }

  /** Stops an instance's web server; the instance stays running (a health check will find it unhealthy). */
  public Future<Void> stopWebServer(String instanceId) {
    Entry e = instances.get(instanceId);
    if (e == null) {
      return Future.failedFuture(Checks.invalid("instanceId", instanceId, "a running in-process instance"));
    }
    HttpServer s = e.server;
    e.server = null;
    return s == null ? Future.succeededFuture() : s.close();
  }

  /** Starts a stopped web server again on the instance's port. */
  public Future<Void> startWebServer(String instanceId) {
    Entry e = instances.get(instanceId);
    if (e == null) {
      return Future.failedFuture(Checks.invalid("instanceId", instanceId, "a running in-process instance"));
    }
    if (e.server != null) {
      return Future.succeededFuture();
    }
    return startServer(instanceId, e.body, e.delayMs, e.instance.host(), e.instance.port()).map(s -> {
      e.server = s;
      return null;
    });
  }

  /** Whether the instance exists (launched and not terminated). */
  public boolean isRunning(String instanceId) {
    return instances.containsKey(instanceId);
  }

  @Override
  public Future<Void> terminate(String instanceId) {
    Entry e = instances.remove(instanceId);
    if (e == null || e.server == null) {
      return Future.succeededFuture();
    }
    return e.server.close();
  }

  @Override
  public Future<List<ProviderInstance>> describe(String groupName, LaunchTemplate template) {
    List<ProviderInstance> out = new ArrayList<>();
    for (Entry e : instances.values()) {
      if (Objects.equals(e.instance.groupName(), groupName)) {
        out.add(e.instance);
      }
    }
    return Future.succeededFuture(out);
  }

  @Override
  public Future<Void> close() {
    if (!closed.compareAndSet(false, true)) {
      return Future.succeededFuture();
    }
    List<Future<Void>> closing = new ArrayList<>();
    for (String id : new ArrayList<>(instances.keySet())) {
      closing.add(terminate(id));
    }
    return Future.join(closing).mapEmpty();
  }
}
