package dev.loadstar.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loadstar.gateway.support.Configs;
import dev.loadstar.gateway.support.Sockets;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The {@code gateway} command as a process: it prints where it listens, runs until SIGTERM and closes in order. */
@Timeout(90)
class GatewayCommandTest {

  private static final String CONFIG = Configs.TWO_LISTENERS_AND_A_SCALING_GROUP;


  private static boolean accepts(int port) {
    return Sockets.accepts(port);
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
