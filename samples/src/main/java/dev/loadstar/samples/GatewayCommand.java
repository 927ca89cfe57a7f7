package dev.loadstar.samples;

import dev.loadstar.gateway.admin.AdminModel;
import dev.loadstar.gateway.admin.AdminServer;
import dev.loadstar.gateway.config.ConfigError;
import dev.loadstar.gateway.config.ConfigException;
import dev.loadstar.gateway.config.GatewayConfig;
import dev.loadstar.gateway.GatewayRuntime;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The {@code gateway} subcommand: the embeddable ALB as a process, from a declarative configuration file. Runs
 * until SIGINT or SIGTERM; a shutdown hook stops accepting connections, lets requests in flight finish (up to
 * {@code --drain-timeout}) and closes everything in order.
 */
@Command(name = "gateway", mixinStandardHelpOptions = true,
    description = {"Runs the gateway described by a configuration file (YAML or JSON): listeners with rules, target "
        + "groups with health checks, scaling groups, the admin API and Prometheus metrics.",
        "Prints where the listeners and the admin API are bound; runs until interrupted (Ctrl-C, SIGTERM).",
        "SIGHUP (or POST /api/reload on the admin API) reads the file again and applies it without a restart; an "
            + "invalid file changes nothing and its errors are printed.",
        "Exit code 1 when the file has errors (printed like the validate command) or a port cannot be bound."})
final class GatewayCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE",
      description = "The configuration file (.yaml, .yml or .json).")
  Path config;

  @Option(names = "--drain-timeout", paramLabel = "SECONDS", defaultValue = "20",
      description = "On SIGTERM, how long requests in flight may take to finish once the listeners stopped accepting "
          + "(default: ${DEFAULT-VALUE}; keep it below Kubernetes' terminationGracePeriodSeconds).")
  int drainTimeoutSeconds;

  @Option(names = "--shutdown-timeout", paramLabel = "SECONDS", defaultValue = "30",
      description = "How long closing may take after the drain before the process exits anyway "
          + "(default: ${DEFAULT-VALUE}).")
  int shutdownTimeoutSeconds;

  @Option(names = "--native-transport", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Use Netty's native transport (epoll on Linux) when the platform has it, else Java NIO "
          + "(default: ${DEFAULT-VALUE}; --no-native-transport forces NIO).")
  boolean nativeTransport;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    GatewayConfig.Result r = GatewayConfig.read(config, System::getenv);
    if (!r.errors().isEmpty()) {
      for (ConfigError e : r.errors()) {
        err.println(e);
      }
      err.println(r.errors().size() + (r.errors().size() == 1 ? " error" : " errors"));
      err.flush();
      return 1;
    }
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(nativeTransport));
    GatewayRuntime runtime = GatewayRuntime.create(vertx, r.config());
    CountDownLatch stopped = new CountDownLatch(1);
    // registered before start, so a signal during start still closes what started
    Thread hook = new Thread(() -> {
      try {
        out.println("gateway stopping: no new connections; requests in flight get up to " + drainTimeoutSeconds
            + " s");
        out.flush();
        runtime.shutdown(Duration.ofSeconds(drainTimeoutSeconds)).toCompletionStage().toCompletableFuture()
            .get(drainTimeoutSeconds + (long) shutdownTimeoutSeconds, TimeUnit.SECONDS);
        vertx.close().toCompletionStage().toCompletableFuture().get(shutdownTimeoutSeconds, TimeUnit.SECONDS);
        out.println("gateway stopped");
        out.flush();
      } catch (Exception e) {
        System.err.println("gateway: shutdown: " + e);
      } finally {
        stopped.countDown();
      }
    }, "loadstar-gateway-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      runtime.start().await();
    } catch (RuntimeException e) {
      err.println("gateway: " + e.getMessage());
      err.flush();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        stopped.await();
        return 1;
      }
      vertx.close().await();
      return 1;
    }
    for (AdminModel.ListenerInfo l : runtime.listeners()) {
      out.println("listener " + l.name() + " (" + l.protocol() + ") on " + (l.protocol().equals("HTTP") ? "http://"
          : "tcp://") + l.host() + ":" + l.port() + (l.targetGroup() != null ? " -> " + l.targetGroup() : ""));
    }
    out.println("transport: " + (vertx.isNativeTransportEnabled() ? "native" : "Java NIO"));
    AdminServer admin = runtime.admin();
    if (admin != null) {
      out.println("admin API on http://" + admin.host() + ":" + admin.actualPort() + "/api (metrics: /metrics, "
          + "events: /api/events; " + (admin.tokenRequired() ? "reads and changes need the bearer token" : "no token set")
          + ")");
      out.println("dashboard on http://" + admin.host() + ":" + admin.actualPort() + "/");
    }
    onSighup(runtime, out, err);
    out.println("gateway running; Ctrl-C stops it");
    out.flush();
    stopped.await();
    return 0;
  }

  /**
   * SIGHUP reads the configuration file again and applies it (an invalid file changes nothing: its errors are printed
   * as {@code validate} prints them).
   */
  private static void onSighup(GatewayRuntime runtime, PrintWriter out, PrintWriter err) {
    try {
      sun.misc.Signal.handle(new sun.misc.Signal("HUP"), sig -> runtime.reload().onComplete(ar -> {
        if (ar.succeeded()) {
          synchronized (out) {
            out.println("reload: " + (ar.result().isEmpty() ? "no changes" : "applied: "
                + String.join("; ", ar.result())));
            out.flush();
          }
        } else if (ar.cause() instanceof ConfigException e) {
          synchronized (err) {
            err.println("reload: rejected, nothing changed:");
            for (ConfigError x : e.errors()) {
              err.println(x);
            }
            err.println(e.errors().size() + (e.errors().size() == 1 ? " error" : " errors"));
            err.flush();
          }
        } else {
          synchronized (err) {
            err.println("reload: failed, nothing changed: " + ar.cause().getMessage());
            err.flush();
          }
        }
      }));
    } catch (IllegalArgumentException | UnsupportedOperationException e) {
      err.println("gateway: SIGHUP cannot be handled on this platform (" + e.getMessage() + "); use POST /api/reload");
    }
  }
}
