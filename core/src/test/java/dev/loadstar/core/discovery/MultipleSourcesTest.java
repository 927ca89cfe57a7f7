package dev.loadstar.core.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loadstar.core.Target;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetGroupConfig;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MultipleSourcesTest {

  @TempDir
  Path dir;

  private Vertx vertx;
  private TargetGroup group;
  private TargetDiscovery discovery;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    group = TargetGroup.create(vertx, TargetGroupConfig.builder("shop").deregistrationDelay(Duration.ZERO).build());
  }

  @AfterEach
  void tearDown() {
    if (discovery != null) {
      discovery.close().await();
    }
    group.close().await();
    vertx.close().await();
  }

  private void write(Path file, String content) throws IOException {
    Path tmp = Files.createTempFile(dir, "write", ".tmp");
    Files.writeString(tmp, content);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private Set<String> ids() {
    return group.targets().stream().map(t -> t.target().id()).collect(Collectors.toSet());
  }

  @Test
  void staticAndFileSourcesFeedOneGroupWithoutDuplicatesAndNeverTouchDirectRegistrations() throws IOException {
    // A scaling group registered this instance directly.
    group.register(Target.of("i-scaled", "127.0.0.1", 9100));
    Path file = dir.resolve("targets.json");
    write(file, "[\"127.0.0.1:9001\", \"127.0.0.1:9003\"]");
    DiscoveryConfig config = DiscoveryConfig.fromJson(new JsonObject()
        .put("removalDelay", "0s")
        .put("sources", new JsonArray()
            .add(new JsonObject().put("type", "static").put("targets", new JsonArray()
                .add("127.0.0.1:9001")
                .add(new JsonObject().put("id", "web-2").put("host", "127.0.0.1").put("port", 9002))))
            .add(new JsonObject().put("type", "file").put("path", file.toString()).put("pollInterval", 50))));
    assertThat(config.sources()).containsOnlyKeys("static", "file");
    discovery = TargetDiscovery.start(vertx, group, config);
    discovery.whenReady(Duration.ofSeconds(10)).await();
    // 127.0.0.1:9001 is reported by both sources: one target.
    assertThat(group.targets()).hasSize(4);
    assertThat(ids()).containsExactlyInAnyOrder("i-scaled", "127.0.0.1:9001", "web-2", "127.0.0.1:9003");

    // The file drops 9001 (the static source still reports it) and reports web-2's address under another id.
    write(file, "[{\"id\": \"other\", \"host\": \"127.0.0.1\", \"port\": 9002}, \"127.0.0.1:9004\"]");
    await().atMost(Duration.ofSeconds(10))
        .until(() -> ids().equals(Set.of("i-scaled", "127.0.0.1:9001", "web-2", "127.0.0.1:9004")));
    assertThat(group.targets()).hasSize(4);

    // The file reports the directly registered id with other fields: it stays as its owner registered it.
    write(file, "[{\"id\": \"i-scaled\", \"host\": \"127.0.0.1\", \"port\": 9100, \"weight\": 9}]");
    await().atMost(Duration.ofSeconds(10))
        .until(() -> ids().equals(Set.of("i-scaled", "127.0.0.1:9001", "web-2")));
    assertThat(group.target("i-scaled").target().weight()).isEqualTo(1);

    // Its owner deregisters it while the file still reports it: discovery registers the file's version.
    group.deregister("i-scaled").await();
    await().atMost(Duration.ofSeconds(10)).until(() -> group.target("i-scaled") != null
        && group.target("i-scaled").target().weight() == 9);

    // An explicitly empty file removes only what no other source reports.
    write(file, "[]");
    await().atMost(Duration.ofSeconds(10)).until(() -> ids().equals(Set.of("127.0.0.1:9001", "web-2")));
  }

  @Test
  void directRegistrationsSurviveEverySourceEmptying() {
    group.register(Target.of("i-1", "127.0.0.1", 9100));
    ScriptedSource source = new ScriptedSource();
    discovery = TargetDiscovery.start(vertx, group, DiscoveryConfig.builder()
        .addSource(source).removalDelay(Duration.ZERO).build());
    await().atMost(Duration.ofSeconds(10)).until(source::started);
    source.answer(Target.of("d-1", "127.0.0.1", 9200), Target.of("dup", "127.0.0.1", 9100));
    discovery.whenReady(Duration.ofSeconds(10)).await();
    // "dup" has the address of the direct registration: not registered a second time.
    assertThat(ids()).containsExactlyInAnyOrder("i-1", "d-1");

    source.answer();
    await().atMost(Duration.ofSeconds(10)).until(() -> ids().equals(Set.of("i-1")));
  }

  @Test
  void theSameIdAtTwoAddressesIsTheEarlierSourcesTarget() {
    ScriptedSource first = new ScriptedSource();
    ScriptedSource second = new ScriptedSource();
    discovery = TargetDiscovery.start(vertx, group, DiscoveryConfig.builder()
        .addSource("first", first).addSource("second", second).removalDelay(Duration.ZERO).build());
    await().atMost(Duration.ofSeconds(10)).until(() -> first.started() && second.started());
    second.answer(Target.of("x", "127.0.0.1", 9009));
    first.answer(Target.of("x", "127.0.0.1", 9001));
    discovery.whenReady(Duration.ofSeconds(10)).await();
    assertThat(group.targets()).hasSize(1);
    assertThat(group.target("x").target().port()).isEqualTo(9001);

    first.answer();
    await().atMost(Duration.ofSeconds(10))
        .until(() -> group.target("x") != null && group.target("x").target().port() == 9009);
    assertThat(group.targets()).hasSize(1);
  }
}
