package dev.loadstar.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loadstar.gateway.support.Configs;
import dev.loadstar.gateway.support.HoldingBackend;
import dev.loadstar.gateway.support.Sockets;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The {@code gateway} command as a process: it prints where it listens, runs until SIGTERM and closes in order. */
@Timeout(120)
class GatewayCommandTest {

  private static final String CONFIG = Configs.TWO_LISTENERS_AND_A_SCALING_GROUP;

  /** A running gateway process and its output. */
  record Gateway(Process process, BufferedReader out, List<String> lines) implements AutoCloseable {

    /** Starts {@code java ... Main gateway --config file} with {@code env} added, and reads until it runs. */
    static Gateway start(Path config, Map<String, String> env, String... extraArgs) throws IOException {
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      List<String> cmd = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
          "dev.loadstar.samples.Main", "gateway", "--config", config.toString()));
      cmd.addAll(List.of(extraArgs));
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
      pb.environment().putAll(env);
      Process p = pb.start();
      BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      List<String> lines = new ArrayList<>();
      String line;
      while ((line = out.readLine()) != null && !line.equals("gateway running; Ctrl-C stops it")) {
        lines.add(line);
      }
      assertThat(line).as("output so far: %s", lines).isEqualTo("gateway running; Ctrl-C stops it");
      return new Gateway(p, out, lines);
    }

    /** The port printed for a listener. */
    int port(String listener) {
      return Integer.parseInt(lines.stream().filter(l -> l.startsWith("listener " + listener + " ")).findFirst()
          .orElseThrow().replaceAll(".*:", "").replaceAll(" .*", ""));
    }

    /** Sends SIGTERM, waits for the exit and returns the rest of the output. */
    List<String> terminate() throws Exception {
      process.toHandle().destroy(); // SIGTERM, leaving our end of the output pipe open
      return waitForExit();
    }

    /** Reads output lines until one equals {@code line}; returns the lines read, that one included. */
    List<String> readUntil(String line) throws IOException {
      List<String> read = new ArrayList<>();
      String l;
      while ((l = out.readLine()) != null) {
        read.add(l);
        if (l.equals(line)) {
          return read;
        }
      }
      throw new AssertionError("no line \"" + line + "\" in " + read);
    }

    /** Sends SIGHUP. */
    void hangUp() throws Exception {
      assertThat(new ProcessBuilder("kill", "-HUP", Long.toString(process.pid())).start().waitFor()).isZero();
    }

    List<String> waitForExit() throws Exception {
      assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
      List<String> rest = new ArrayList<>();
      String line;
      while ((line = out.readLine()) != null) {
        rest.add(line);
      }
      return rest;
    }

    @Override
    public void close() {
      process.destroyForcibly();
    }
  }

  @Test
  void theGatewayCommandRunsUntilSigtermAndClosesInOrder(@TempDir Path dir) throws Exception {
    Path config = dir.resolve("gw.yaml");
    Files.writeString(config, CONFIG);
    try (Gateway gw = Gateway.start(config, Map.of())) {
      assertThat(gw.lines()).anyMatch(l -> l.matches("listener web \\(HTTP\\) on http://127\\.0\\.0\\.1:[0-9]+"))
          .anyMatch(l -> l.matches("listener raw \\(TCP\\) on tcp://127\\.0\\.0\\.1:[0-9]+ -> fleet"))
          .anyMatch(l -> l.matches("admin API on http://127\\.0\\.0\\.1:[0-9]+/api .*no token set\\)"))
          .anyMatch(l -> l.matches("dashboard on http://127\\.0\\.0\\.1:[0-9]+/"));
      int web = gw.port("web");
      assertThat(Sockets.accepts(web)).isTrue();

      List<String> rest = gw.terminate();
      assertThat(rest).anyMatch(l -> l.startsWith("gateway stopping")).contains("gateway stopped");
      assertThat(rest.indexOf("gateway stopped")).isGreaterThan(rest.indexOf(rest.stream()
          .filter(l -> l.startsWith("gateway stopping")).findFirst().orElseThrow()));
      assertThat(Sockets.accepts(web)).isFalse();
    }
  }

  private static String fixed(String body) {
    return """
        admin: {port: 0}
        listeners:
          - name: web
            host: 127.0.0.1
            port: 0
            defaultActions: [{type: fixed-response, fixedResponseConfig: {statusCode: 200, messageBody: %s}}]
        """.formatted(body);
  }

  @Test
  void sighupReloadsTheFileAndAnInvalidOneChangesNothing(@TempDir Path dir) throws Exception {
    Path config = dir.resolve("gw.yaml");
    Files.writeString(config, fixed("one"));
    Vertx vertx = Vertx.vertx();
    try (Gateway gw = Gateway.start(config, Map.of())) {
      dev.loadstar.gateway.support.Http http = new dev.loadstar.gateway.support.Http(vertx);
      int web = gw.port("web");
      assertThat(http.get(web, "/").body()).isEqualTo("one");

      Files.writeString(config, fixed("two"));
      gw.hangUp();
      gw.readUntil("reload: applied: listener web: rules replaced");
      assertThat(http.get(web, "/").body()).isEqualTo("two");

      Files.writeString(config, fixed("three").replace("statusCode: 200", "statusCode: 299x"));
      gw.hangUp();
      List<String> report = gw.readUntil("1 error");
      assertThat(report).contains("reload: rejected, nothing changed:");
      assertThat(report.get(report.size() - 2)).startsWith(config + ":6:")
          .contains("listeners[0].defaultActions[0].fixedResponseConfig.statusCode: \"299x\"");
      assertThat(http.get(web, "/").body()).isEqualTo("two");
      http.close();
      assertThat(gw.terminate()).contains("gateway stopped");
    } finally {
      vertx.close().await();
    }
  }

  @Test
  void sigtermLetsARequestInFlightFinishAndRefusesNewConnections(@TempDir Path dir) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      // the backend answers health checks at once and holds /slow until the test releases it
      HoldingBackend backend = new HoldingBackend(vertx);
      Path config = dir.resolve("gw.yaml");
      Files.writeString(config, """
          admin: {port: 0}
          listeners:
            - name: web
              host: 127.0.0.1
              port: 0
              defaultActions: [{type: forward, targetGroupName: slow}]
          targetGroups:
            - name: slow
              healthCheck: {intervalSeconds: 0.5, timeoutSeconds: 0.2, embedded: true, path: /health}
              targets: [{id: b1, host: 127.0.0.1, port: "${env:BACKEND_PORT}"}]
          """);
      try (Gateway gw = Gateway.start(config, Map.of("BACKEND_PORT", Integer.toString(backend.port())),
          "--drain-timeout", "60")) {
        int web = gw.port("web");
        HttpClient client = vertx.createHttpClient();
        Future<String> inFlight = client.request(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1")
                .setPort(web).setURI("/slow").setIdleTimeout(60_000))
            .compose(r -> r.send().compose(resp -> resp.body().map(b -> resp.statusCode() + " " + b)));
        backend.arrived().await(30, TimeUnit.SECONDS);

        gw.process().toHandle().destroy(); // SIGTERM while /slow is in flight
        await().atMost(Duration.ofSeconds(30)).until(() -> !Sockets.accepts(web));
        assertThat(inFlight.isComplete()).as("the request in flight is still being served").isFalse();
        assertThat(gw.process().isAlive()).isTrue();

        backend.release();
        assertThat(inFlight.await(30, TimeUnit.SECONDS)).isEqualTo("200 slow done");
        List<String> rest = gw.waitForExit();
        assertThat(rest).contains("gateway stopped");
      }
    } finally {
      vertx.close().await();
    }
  }
}
