package dev.loadstar.core.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loadstar.core.RegisteredTarget;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetGroupConfig;
import dev.loadstar.core.discovery.TargetSourceStatus.State;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileTargetSourceTest {

  @TempDir
  Path dir;

  private Vertx vertx;
  private TargetGroup group;
  private TargetDiscovery discovery;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    group = TargetGroup.create(vertx, TargetGroupConfig.builder("files").deregistrationDelay(Duration.ZERO).build());
  }

  @AfterEach
  void tearDown() {
    if (discovery != null) {
      discovery.close().await();
    }
    group.close().await();
    vertx.close().await();
  }

  private TargetDiscovery start(Path file) {
    discovery = TargetDiscovery.start(vertx, group, DiscoveryConfig.builder()
        .addSource("targets-file", TargetSource.file(new FileSourceOptions().setPath(file.toString())
            .setPollInterval(Duration.ofMillis(50)).setRetryMaxDelay(Duration.ofMillis(200))))
        .removalDelay(Duration.ZERO)
        .build());
    return discovery;
  }

  /** Replaces the file's content atomically, as a deployment tool would. */
  private void write(Path file, String content) throws IOException {
    Path tmp = Files.createTempFile(dir, "write", ".tmp");
    Files.writeString(tmp, content);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private Map<String, String> targets() {
    return group.targets().stream().collect(Collectors.toMap(t -> t.target().id(),
        t -> t.target().address() + " w" + t.target().weight(), (a, b) -> a, TreeMap::new));
  }

  private TargetSourceStatus status() {
    return discovery.status("targets-file");
  }

  @Test
  void editingTheFileChangesTheTargetsAndAnExplicitlyEmptyListEmptiesTheGroup() throws IOException {
    Path file = dir.resolve("targets.json");
    write(file, "[{\"id\": \"a\", \"host\": \"127.0.0.1\", \"port\": 8080}]");
    start(file);
    discovery.whenReady(Duration.ofSeconds(10)).await();
    assertThat(targets()).containsExactly(Map.entry("a", "127.0.0.1:8080 w1"));
    RegisteredTarget a = group.target("a");

    write(file, "{\"targets\": [\n"
        + "  {\"id\": \"a\", \"host\": \"127.0.0.1\", \"port\": 8080, \"weight\": 5, \"metadata\": {\"rack\": 7}},\n"
        + "  \"127.0.0.2:8081\"\n"
        + "]}");
    await().atMost(Duration.ofSeconds(10)).until(() -> targets().equals(Map.of(
        "a", "127.0.0.1:8080 w5", "127.0.0.2:8081", "127.0.0.2:8081 w1")));
    assertThat(group.target("a")).as("same registration, updated in place").isSameAs(a);
    assertThat(a.target().metadata()).containsExactly(Map.entry("rack", "7"));

    write(file, "{\"targets\": []}");
    await().atMost(Duration.ofSeconds(10)).until(() -> group.targets().isEmpty());
    assertThat(status().state()).isEqualTo(State.OK);
    assertThat(status().targetCount()).isZero();
  }

  @Test
  void brokenJsonKeepsTheLastKnownGoodSetAndReportsTheFileLineAndColumn() throws IOException {
    Path file = dir.resolve("targets.json");
    write(file, "[\"127.0.0.1:8080\", \"127.0.0.1:8081\"]");
    start(file);
    discovery.whenReady(Duration.ofSeconds(10)).await();

    write(file, "[\n"
        + "  {\"host\": \"127.0.0.1\", \"port\": 8080}\n"
        + "  {\"host\": \"127.0.0.1\", \"port\": 8082}\n"
        + "]\n");
    await().atMost(Duration.ofSeconds(10)).until(() -> status().state() == State.FAILING);
    assertThat(status().lastError()).isEqualTo(file + ", line 3, column 3: Unexpected character ('{' (code 123)): "
        + "was expecting comma to separate Array entries");
    assertThat(status().targetCount()).isEqualTo(2);
    assertThat(targets()).containsOnlyKeys("127.0.0.1:8080", "127.0.0.1:8081");
    assertThat(discovery.describe()).contains("targets-file (file: json file " + file + "): failing, 2 targets "
        + "(last known good)");

    write(file, "[\"127.0.0.1:8082\"]");
    await().atMost(Duration.ofSeconds(10)).until(() -> targets().keySet().equals(java.util.Set.of("127.0.0.1:8082")));
    assertThat(status().state()).isEqualTo(State.OK);
  }

  @Test
  void anInvalidTargetIsReportedWithItsOwnLineAndColumn() throws IOException {
    Path file = dir.resolve("targets.json");
    write(file, "{\"targets\": [\"127.0.0.1:8080\"]}");
    start(file);
    discovery.whenReady(Duration.ofSeconds(10)).await();

    write(file, "{\n"
        + "  \"targets\": [\n"
        + "    \"127.0.0.1:8080\",\n"
        + "      {\"id\": \"b\", \"host\": \"127.0.0.1\", \"port\": 0}\n"
        + "  ]\n"
        + "}\n");
    await().atMost(Duration.ofSeconds(10)).until(() -> status().state() == State.FAILING);
    assertThat(status().lastError())
        .isEqualTo(file + ", line 4, column 7: targets[1].port: 0 (expected: 1-65535)");
    assertThat(targets()).containsOnlyKeys("127.0.0.1:8080");
  }

  @Test
  void emptyOrMissingFilesAreFailuresNotEmptyGroups() throws IOException {
    Path file = dir.resolve("targets.json");
    write(file, "[\"127.0.0.1:8080\"]");
    start(file);
    discovery.whenReady(Duration.ofSeconds(10)).await();

    write(file, "  \n");
    await().atMost(Duration.ofSeconds(10)).until(() -> status().state() == State.FAILING);
    assertThat(status().lastError()).isEqualTo(file + ": the file is empty (expected: a list of targets, or an "
        + "object with a targets list; [] for none)");
    assertThat(targets()).containsOnlyKeys("127.0.0.1:8080");

    Files.delete(file);
    await().atMost(Duration.ofSeconds(10)).until(() -> status().lastError().endsWith("no such file"));
    assertThat(status().lastError()).isEqualTo(file + ": cannot read the file: no such file");
    assertThat(targets()).containsOnlyKeys("127.0.0.1:8080");

    write(file, "[\"127.0.0.1:8083\"]");
    await().atMost(Duration.ofSeconds(10)).until(() -> targets().keySet().equals(java.util.Set.of("127.0.0.1:8083")));
  }

  @Test
  void yamlFileIsFollowedAndItsErrorsCarryLineAndColumn() throws IOException {
    Path file = dir.resolve("targets.yaml");
    write(file, "targets:\n"
        + "  - id: a\n"
        + "    host: 127.0.0.1\n"
        + "    port: 8080\n"
        + "    zone: zone-a\n");
    start(file);
    discovery.whenReady(Duration.ofSeconds(10)).await();
    assertThat(targets()).containsExactly(Map.entry("a", "127.0.0.1:8080 w1"));
    assertThat(group.target("a").target().zone()).isEqualTo("zone-a");
    assertThat(status().description()).isEqualTo("yaml file " + file);

    write(file, "- 127.0.0.1:8080\n"
        + "- host: 127.0.0.1\n"
        + "  port: 8081\n"
        + "  weight: 3\n");
    await().atMost(Duration.ofSeconds(10)).until(() -> targets().equals(Map.of(
        "127.0.0.1:8080", "127.0.0.1:8080 w1", "127.0.0.1:8081", "127.0.0.1:8081 w3")));

    write(file, "- 127.0.0.1:8080\n"
        + "- host: 127.0.0.1\n"
        + "  port: [8081\n");
    await().atMost(Duration.ofSeconds(10)).until(() -> status().state() == State.FAILING);
    assertThat(status().lastError()).isEqualTo(file + ", line 4, column 1: expected ',' or ']', but got "
        + "<stream end> (while parsing a flow sequence)");
    assertThat(targets()).containsOnlyKeys("127.0.0.1:8080", "127.0.0.1:8081");

    write(file, "- 127.0.0.1:8080\n"
        + "- host: 127.0.0.1\n"
        + "  port: 8081\n"
        + "  wieght: 3\n");
    await().atMost(Duration.ofSeconds(10)).until(() -> status().lastError().contains("wieght"));
    assertThat(status().lastError()).isEqualTo(file + ", line 2, column 3: [1].wieght: 3 (expected: one of the "
        + "parameters host, port, id, weight, zone, metadata)");
  }
}
