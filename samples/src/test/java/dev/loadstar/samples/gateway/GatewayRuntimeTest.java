package dev.loadstar.samples.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loadstar.samples.admin.AdminModel;
import dev.loadstar.samples.config.GatewayConfig;
import dev.loadstar.samples.config.GatewayRuntime;
import dev.loadstar.scaling.Instance;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Start and close of a gateway: idempotent, ordered, every port released, a failed start cleaned up, SIGTERM. */
@Timeout(90)
class GatewayRuntimeTest {

  private static final String CONFIG = """
      admin: {port: "${env:ADMIN_PORT:-0}"}
      listeners:
        - name: web
          host: 127.0.0.1
          port: ${env:WEB_PORT:-0}
          defaultActions: [{type: forward, targetGroupName: fleet}]
        - name: raw
          protocol: TCP
          host: 127.0.0.1
          port: 0
          defaultActions: [{type: forward, targetGroupName: fleet}]
      targetGroups:
        - name: fleet
          healthCheck: {intervalSeconds: 0.5, timeoutSeconds: 0.2, embedded: true}
      scalingGroups:
        - name: fleet-asg
          launchTemplate: {provider: in-process}
          minSize: 2
          maxSize: 2
          targetGroups: [fleet]
      """;

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void tearDown() {
    vertx.close().await();
  }

  private static boolean accepts(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Test
  void startAndCloseAreIdempotentAndCloseReleasesEveryPort() {
    GatewayRuntime runtime = GatewayRuntime.create(vertx, GatewayConfig.parse(CONFIG, "rt.yaml", false,
        Map.<String, String>of()::get));
    Future<Void> started = runtime.start();
    assertThat(runtime.start()).isSameAs(started);
    started.await();
    // the scaling group launches in the background once started
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).until(() -> runtime.scalingGroups()
        .get("fleet-asg").instances().stream().filter(i -> i.state() == dev.loadstar.scaling.InstanceState.IN_SERVICE)
        .count() == 2);
    List<Integer> ports = new ArrayList<>(List.of(runtime.listenerPort("web"), runtime.listenerPort("raw"),
        runtime.admin().actualPort()));
    for (Instance i : runtime.scalingGroups().get("fleet-asg").instances()) {
      ports.add(i.port());
    }
    assertThat(ports).hasSize(5).allMatch(GatewayRuntimeTest::accepts);

    Future<Void> closed = runtime.close();
    assertThat(runtime.close()).isSameAs(closed);
    closed.await();
    assertThat(ports).noneMatch(GatewayRuntimeTest::accepts);
  }

  @Test
  void aStartThatCannotBindFailsAndClosesWhatItStarted() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"))) {
      // the admin API starts last: by then both listeners are bound
      GatewayRuntime runtime = GatewayRuntime.create(vertx, GatewayConfig.parse(CONFIG, "rt.yaml", false,
          Map.of("ADMIN_PORT", Integer.toString(taken.getLocalPort()))::get));
      assertThatThrownBy(() -> runtime.start().await())
          .hasMessageStartingWith("admin API: cannot bind 127.0.0.1:" + taken.getLocalPort() + ": ");
      int web = runtime.listenerPort("web");
      int raw = runtime.listenerPort("raw");
      assertThat(web).isPositive();
      assertThat(raw).isPositive();
      assertThat(accepts(web)).isFalse();
      assertThat(accepts(raw)).isFalse();
      assertThat(runtime.scalingGroups().get("fleet-asg").instances()).noneMatch(i -> accepts(i.port()));
      assertThat(runtime.close()).isSameAs(runtime.close());
    }
  }

  @Test
  void theGatewayCommandRunsUntilSigtermAndClosesInOrder(@TempDir Path dir) throws Exception {
    Path config = dir.resolve("gw.yaml");
    Files.writeString(config, CONFIG);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "dev.loadstar.samples.Main",
        "gateway", "--config", config.toString()).redirectErrorStream(true).start();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      List<String> lines = new ArrayList<>();
      String line;
      while ((line = out.readLine()) != null && !line.equals("gateway running; Ctrl-C stops it")) {
        lines.add(line);
      }
      assertThat(line).as("output so far: %s", lines).isEqualTo("gateway running; Ctrl-C stops it");
      assertThat(lines).anyMatch(l -> l.matches("listener web \\(HTTP\\) on http://127\\.0\\.0\\.1:[0-9]+"))
          .anyMatch(l -> l.matches("listener raw \\(TCP\\) on tcp://127\\.0\\.0\\.1:[0-9]+ -> fleet"))
          .anyMatch(l -> l.matches("admin API on http://127\\.0\\.0\\.1:[0-9]+/api .*no token set\\)"))
          .anyMatch(l -> l.matches("dashboard on http://127\\.0\\.0\\.1:[0-9]+/"));
      int web = Integer.parseInt(lines.stream().filter(l -> l.startsWith("listener web")).findFirst().orElseThrow()
          .replaceAll(".*:", ""));
      assertThat(accepts(web)).isTrue();

      p.toHandle().destroy(); // SIGTERM, leaving our end of the output pipe open
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      List<String> rest = new ArrayList<>();
      while ((line = out.readLine()) != null) {
        rest.add(line);
      }
      assertThat(rest).containsSubsequence("gateway stopping", "gateway stopped");
      assertThat(accepts(web)).isFalse();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      p.destroyForcibly();
    }
  }
}
