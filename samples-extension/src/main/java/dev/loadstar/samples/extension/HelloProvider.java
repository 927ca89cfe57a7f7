package dev.loadstar.samples.extension;

import dev.loadstar.core.config.Checks;
import dev.loadstar.core.time.TimeSource;
import dev.loadstar.scaling.LaunchTemplate;
import dev.loadstar.scaling.spi.InstanceProvider;
import dev.loadstar.scaling.spi.ProviderInstance;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@code hello} provider: each instance is a Vert.x HTTP server in this JVM, on its own port, answering every
 * request with the launch template's {@code body} ({@code ${instanceId}} is replaced; default
 * {@code hello from ${instanceId}}) and {@code status} (default 200).
 */
public final class HelloProvider implements InstanceProvider {

  /** The provider's name in launch templates. */
  public static final String NAME = "hello";

  private static final AtomicLong IDS = new AtomicLong();

  private final Vertx vertx;
  private final TimeSource time;
  private final String host;
  private final Map<String, Entry> instances = new ConcurrentHashMap<>();
  private final AtomicBoolean closed = new AtomicBoolean();

  private record Entry(ProviderInstance instance, HttpServer server) {
  }

  /** A provider whose servers run on {@code vertx} and listen on {@code host}; launch times come from {@code time}. */
  public HelloProvider(Vertx vertx, TimeSource time, String host) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.time = Objects.requireNonNull(time, "time");
    this.host = Checks.notBlank("host", host);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Future<ProviderInstance> launch(String groupName, LaunchTemplate template) {
    if (closed.get()) {
      return Future.failedFuture(new IllegalStateException("the hello provider is closed"));
    }
    String id = "hello-" + IDS.incrementAndGet();
    String body = template.parameter("body", "hello from ${instanceId}").replace("${instanceId}", id);
    int status;
    try {
      status = Checks.range("status", Integer.parseInt(template.parameter("status", "200")), 200, 599);
    } catch (NumberFormatException e) {
      return Future.failedFuture(Checks.invalid("status", template.parameter("status", ""), "an HTTP status 200-599"));
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    return vertx.createHttpServer()
        .requestHandler(req -> req.response().setStatusCode(status)
            .putHeader("content-type", "text/plain; charset=utf-8").end(body))
        .listen(0, host)
        .map(server -> {
          ProviderInstance pi = new ProviderInstance(id, host, server.actualPort(), ProviderInstance.State.RUNNING,
              Instant.ofEpochMilli(time.currentTimeMillis()), groupName, Map.of("provider", NAME));
          instances.put(id, new Entry(pi, server));
          if (closed.get()) {
            terminate(id);
          }
          return pi;
        });
  }

  @Override
  public Future<Void> terminate(String instanceId) {
    Entry e = instances.remove(instanceId);
    return e == null ? Future.succeededFuture() : e.server().close();
  }

  @Override
  public Future<List<ProviderInstance>> describe(String groupName, LaunchTemplate template) {
    List<ProviderInstance> out = new ArrayList<>();
    for (Entry e : instances.values()) {
      if (Objects.equals(e.instance().groupName(), groupName)) {
        out.add(e.instance());
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
