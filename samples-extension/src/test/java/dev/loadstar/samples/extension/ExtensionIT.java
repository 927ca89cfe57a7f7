package dev.loadstar.samples.extension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.loadstar.core.BalancingAlgorithm;
import dev.loadstar.core.SelectionContext;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetGroupConfig;
import dev.loadstar.core.config.InvalidValueException;
import dev.loadstar.core.discovery.DiscoveryConfig;
import dev.loadstar.core.discovery.TargetDiscovery;
import dev.loadstar.core.discovery.TargetSource;
import dev.loadstar.core.spi.BalancingAlgorithmProvider;
import dev.loadstar.core.spi.TargetSourceProvider;
import dev.loadstar.core.time.TimeSource;
import dev.loadstar.scaling.Instance;
import dev.loadstar.scaling.InstanceState;
import dev.loadstar.scaling.LaunchTemplate;
import dev.loadstar.scaling.ScalingGroup;
import dev.loadstar.scaling.ScalingGroupConfig;
import dev.loadstar.scaling.spi.InstanceProviderContext;
import dev.loadstar.scaling.spi.InstanceProviderFactory;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The extension as an application meets it: its jar on the class path (this test runs after {@code package},
 * against the jar), its three providers picked by name, working together with a real scaling group, target groups
 * and discovery; requests go to 127.0.0.1 only.
 */
class ExtensionIT {

  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir
  Path dir;

  private Vertx vertx;
  private HttpClient http;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    http = vertx.createHttpClient();
  }

  @AfterEach
  void tearDown() {
    http.close().await();
    vertx.close().await();
  }

  @Test
  void theThreeProvidersAreFoundByNameInTheExtensionsJar() {
    List<Class<?>> found = List.of(BalancingAlgorithmProvider.registry().provider("sticky_first").getClass(),
        TargetSourceProvider.registry().provider("properties").getClass(),
        InstanceProviderFactory.registry().provider("hello").getClass());
    assertThat(found).containsExactly(StickyFirstProvider.class, PropertiesSourceProvider.class,
        HelloProviderFactory.class);
    for (Class<?> c : found) {
      assertThat(c.getProtectionDomain().getCodeSource().getLocation().getPath())
          .as("where %s was loaded from", c.getSimpleName()).matches(".*/loadstar-samples-extension-[^/]*\\.jar");
    }
    // After the built-ins, as the registry orders them.
    assertThat(BalancingAlgorithmProvider.registry().names()).startsWith("round_robin").endsWith("sticky_first");
    assertThat(TargetSourceProvider.registry().names()).startsWith("static", "dns", "file").contains("properties");
    assertThat(InstanceProviderFactory.registry().names()).startsWith("in-process", "process", "kubernetes")
        .contains("hello");
  }

  @Test
  void aScalingGroupOfHelloServersIsServedByStickyFirstDirectlyAndThroughThePropertiesSource() throws Exception {
    TargetGroup direct = TargetGroup.create(vertx, TargetGroupConfig.builder("direct")
        .algorithm(BalancingAlgorithm.byName("sticky_first")).deregistrationDelay(Duration.ZERO).build());
    ScalingGroup group = ScalingGroup.create(vertx, ScalingGroupConfig.builder("hello-asg",
            LaunchTemplate.builder("hello").parameter("body", "hello from ${instanceId}").build())
        .capacity(2, 2, 2).targetGroups(direct).build());
    TargetGroup discovered = TargetGroup.create(vertx, TargetGroupConfig.builder("discovered")
        .algorithm(BalancingAlgorithm.create("sticky_first", new JsonObject().put("order", "weight")))
        .deregistrationDelay(Duration.ZERO).build());
    TargetDiscovery discovery = null;
    try {
      // The group looks the provider up by the launch template's name and launches two hello servers.
      group.start().await();
      await().atMost(WAIT).until(() -> group.instances().size() == 2
          && group.instances().stream().allMatch(i -> i.state() == InstanceState.IN_SERVICE)
          && direct.targets().size() == 2);
      List<Instance> byId = group.instances().stream().sorted(Comparator.comparing(Instance::id)).toList();

      // sticky_first: every request to the first id; when it goes, to the next one.
      for (int i = 0; i < 5; i++) {
        assertThat(getFromSelected(direct)).isEqualTo("hello from " + byId.get(0).id());
      }
      group.terminateInstance(byId.get(0).id(), false).await();
      await().atMost(WAIT).until(() -> direct.target(byId.get(0).id()) == null);
      assertThat(direct.select(SelectionContext.NONE).target().id()).isNotEqualTo(byId.get(0).id());
      String now = direct.select(SelectionContext.NONE).target().id();
      assertThat(getFromSelected(direct)).isEqualTo("hello from " + now);

      // The properties source feeds another group from a file; sticky_first by weight picks the heaviest.
      Instance a = group.instance(now);
      Instance b = group.instances().stream().filter(i -> !i.id().equals(now)).findFirst().orElseThrow();
      Path file = dir.resolve("targets.properties");
      Files.writeString(file, a.id() + " = " + a.host() + ":" + a.port() + "\n"
          + b.id() + " = " + b.host() + ":" + b.port() + " weight=5 zone=zone-a\n");
      discovery = TargetDiscovery.start(vertx, discovered, DiscoveryConfig.fromJson(new JsonObject()
          .put("sources", new JsonArray().add(new JsonObject().put("type", "properties").put("name", "fleet")
              .put("path", file.toString()).put("pollInterval", "100ms")))
          .put("removalDelay", "0s")));
      discovery.whenReady(WAIT).await();
      assertThat(discovered.target(b.id()).target().zone()).isEqualTo("zone-a");
      assertThat(getFromSelected(discovered)).isEqualTo("hello from " + b.id());

      // The file changes: the next poll follows it.
      Files.writeString(file, a.id() + " = " + a.host() + ":" + a.port() + "\n");
      await().atMost(WAIT).until(() -> discovered.targets().size() == 1);
      assertThat(getFromSelected(discovered)).isEqualTo("hello from " + a.id());
    } finally {
      if (discovery != null) {
        discovery.close().await();
      }
      group.close().await();
      direct.close().await();
      discovered.close().await();
    }
  }

  @Test
  void badParametersAndUnknownNamesAreNamed() {
    assertThatThrownBy(() -> BalancingAlgorithm.create("sticky_first", new JsonObject().put("order", "random")))
        .isInstanceOf(InvalidValueException.class).hasMessage("order: \"random\" (expected: id or weight)");
    assertThatThrownBy(() -> BalancingAlgorithm.byName("sticky_frist"))
        .isInstanceOf(InvalidValueException.class)
        .hasMessageStartingWith("load_balancing.algorithm.type: \"sticky_frist\" (expected: one of round_robin, ")
        .hasMessageEndingWith(", sticky_first)");
    assertThatThrownBy(() -> TargetSource.create("properties", new JsonObject()))
        .isInstanceOf(InvalidValueException.class).hasMessage("path: null (expected: a non-blank string)");
    assertThatThrownBy(() -> DiscoveryConfig.fromJson(new JsonObject().put("sources", new JsonArray()
        .add(new JsonObject().put("type", "properties").put("path", "t.properties").put("pollInterval", "0s")))))
        .hasMessageStartingWith("sources[0].pollInterval: 0s (expected: ");
    assertThatThrownBy(() -> InstanceProviderFactory.registry().create("hello",
        new InstanceProviderContext(vertx, TimeSource.system(vertx),
            new JsonObject().put("hots", "0.0.0.0"))))
        .isInstanceOf(InvalidValueException.class).hasMessage("hots: \"0.0.0.0\" (expected: one of the parameters host)");
  }

  @Test
  void theExtensionUsesThePublicApiOnly() throws Exception {
    try (var files = Files.walk(Path.of("src/main/java"))) {
      List<Path> sources = files.filter(f -> f.toString().endsWith(".java")).toList();
      assertThat(sources).hasSizeGreaterThanOrEqualTo(6);
      for (Path f : sources) {
        assertThat(Files.readString(f)).as("%s", f).doesNotContainPattern("dev\\.loadstar\\.[a-z.]*internal");
      }
    }
  }

  /** Sends one GET to the target the group selects; returns the body. */
  private String getFromSelected(TargetGroup group) {
    var target = group.select(SelectionContext.NONE).target();
    return http.request(HttpMethod.GET, target.port(), target.host(), "/")
        .compose(req -> req.send().compose(resp -> resp.body()))
        .await().toString();
  }
}
