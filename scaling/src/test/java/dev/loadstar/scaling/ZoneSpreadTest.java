package dev.loadstar.scaling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.loadstar.core.LoadBalancedClient;
import dev.loadstar.core.LoadBalancedResponse;
import dev.loadstar.core.RegisteredTarget;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetGroupConfig;
import dev.loadstar.core.ZoneHealthDescription;
import dev.loadstar.scaling.providers.InProcessProvider;
import dev.loadstar.scaling.providers.ProcessProvider;
import io.vertx.core.Vertx;
import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A scaling group over a provider's availability zones: even spread, scale-in from the most populated zone. */
class ZoneSpreadTest {

  private static final List<String> ZONES = List.of("zone-a", "zone-b", "zone-c");
  private Vertx vertx;
  private InProcessProvider provider;
  private TargetGroup targetGroup;
  private ScalingGroup group;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    provider = new InProcessProvider(vertx, ZONES);
    targetGroup = TargetGroup.create(vertx, TargetGroupConfig.builder("web").deregistrationDelay(Duration.ZERO)
        .build());
  }

  @AfterEach
  void tearDown() {
    if (group != null) {
      group.close().await();
    }
    targetGroup.close().await();
    provider.close().await();
    vertx.close().await();
  }

  private ScalingGroup group(int desired) {
    group = ScalingGroup.create(vertx, ScalingGroupConfig.builder("web-asg", LaunchTemplate.builder(
            InProcessProvider.NAME).parameter("body", "${instanceId} in ${zone}").build())
        .provider(provider).capacity(0, desired, 10).targetGroups(targetGroup).build());
    group.start().await();
    return group;
  }

  private void awaitInService(int n) {
    await().atMost(Duration.ofSeconds(30)).until(() -> group.instances().size() == n
        && group.instances().stream().allMatch(x -> x.state() == InstanceState.IN_SERVICE));
  }

  /** Grows the group one instance at a time so that launch times are ordered (and zones go a, b, c, a, ...). */
  private void growTo(int n) {
    for (int i = group.instances().size() + 1; i <= n; i++) {
      group.setDesiredCapacity(i).await();
      awaitInService(i);
    }
  }

  private Map<String, Long> perZone() {
    return group.instances().stream().collect(Collectors.groupingBy(Instance::zone, TreeMap::new,
        Collectors.counting()));
  }

  private String id(int launchIndex, List<Instance> launched) {
    return launched.get(launchIndex).id();
  }

  @Test
  void desiredSixOverThreeZonesRunsTwoPerZoneAndTheirTargetsCarryTheZone() {
    group(6);
    awaitInService(6);
    assertThat(perZone()).isEqualTo(Map.of("zone-a", 2L, "zone-b", 2L, "zone-c", 2L));
    for (Instance i : group.instances()) {
      RegisteredTarget t = targetGroup.target(i.id());
      assertThat(t.target().zone()).isEqualTo(i.zone());
    }
    assertThat(targetGroup.describeZones()).extracting(ZoneHealthDescription::zone, ZoneHealthDescription::registered)
        .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("zone-a", 2),
            org.assertj.core.groups.Tuple.tuple("zone-b", 2), org.assertj.core.groups.Tuple.tuple("zone-c", 2));
    assertThat(group.activities()).filteredOn(a -> a.kind() == ScalingActivity.Kind.LAUNCH)
        .extracting(ScalingActivity::description).allMatch(d -> d.matches("Launching a new instance: i-\\w+ in zone-[abc]"));
    // the instance knows its zone (the in-process page shows it)
    LoadBalancedClient client = LoadBalancedClient.create(vertx).addTargetGroup(targetGroup);
    LoadBalancedResponse r = client.get("web", "/").send().await();
    assertThat(r.bodyAsString()).isEqualTo(r.target().id() + " in " + r.target().zone());
    client.close().await();
  }

  @Test
  void scaleInToFourTakesOneFromEachOfTheMostPopulatedZonesOldestFirst() {
    group(0);
    growTo(6);
    List<Instance> launched = group.instances();
    assertThat(launched).extracting(Instance::zone)
        .containsExactly("zone-a", "zone-b", "zone-c", "zone-a", "zone-b", "zone-c");
    group.setDesiredCapacity(4).await();
    awaitInService(4);
    // all zones tie at 2: the oldest (#0, zone-a) goes; then zone-b and zone-c tie at 2: the older of them (#1)
    assertThat(group.instances()).extracting(Instance::id)
        .containsExactly(id(2, launched), id(3, launched), id(4, launched), id(5, launched));
    assertThat(perZone()).isEqualTo(Map.of("zone-a", 1L, "zone-b", 1L, "zone-c", 2L));
  }

  @Test
  void scaleInSparesTheOldestInstanceWhenItsZoneIsTheLeastPopulated() {
    group(0);
    growTo(6);
    List<Instance> launched = group.instances();
    // zone-a loses #3: zone-a has 1 (the oldest instance, #0), zone-b and zone-c have 2
    group.terminateInstance(id(3, launched), true).await();
    awaitInService(5);
    assertThat(perZone()).isEqualTo(Map.of("zone-a", 1L, "zone-b", 2L, "zone-c", 2L));
    group.setDesiredCapacity(4).await();
    awaitInService(4);
    // oldest-first alone would take #0; the most populated zones go first, so #1 (oldest of zone-b and zone-c) goes
    assertThat(group.instances()).extracting(Instance::id)
        .containsExactly(id(0, launched), id(2, launched), id(4, launched), id(5, launched));
    assertThat(perZone()).isEqualTo(Map.of("zone-a", 1L, "zone-b", 1L, "zone-c", 2L));
  }

  @Test
  void aReplacementGoesToTheZoneThatLostAnInstance() {
    group(6);
    awaitInService(6);
    Instance victim = group.instances().stream().filter(i -> i.zone().equals("zone-b")).findFirst().orElseThrow();
    group.terminateInstance(victim.id(), false).await();
    await().atMost(Duration.ofSeconds(30)).until(() -> group.instance(victim.id()) == null
        && group.instances().size() == 6
        && group.instances().stream().allMatch(x -> x.state() == InstanceState.IN_SERVICE));
    assertThat(perZone()).isEqualTo(Map.of("zone-a", 2L, "zone-b", 2L, "zone-c", 2L));
  }

  @Test
  void providerZonesAreValidatedAndAnUnknownZoneIsRefused() {
    assertThatThrownBy(() -> new InProcessProvider(vertx, List.of("a", "a")))
        .hasMessage("zones[1]: \"a\" (expected: unique zone names)");
    assertThatThrownBy(() -> new InProcessProvider(vertx, List.of("a", " ")))
        .hasMessage("zones[1]: \" \" (expected: a non-blank string)");
    Throwable err = provider.launch("g", LaunchTemplate.of(InProcessProvider.NAME), "zone-d")
        .transform(ar -> io.vertx.core.Future.succeededFuture(ar.cause())).await();
    assertThat(err).hasMessage("zone: \"zone-d\" (expected: one of zone-a, zone-b, zone-c)");
  }

  @Test
  void processProviderStartsEachProcessInItsZone() throws Exception {
    ProcessProvider processes = new ProcessProvider(vertx, List.of("zone-a", "zone-b"));
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String classes = new File(TinyHttpServer.class.getProtectionDomain().getCodeSource().getLocation().toURI())
        .getPath();
    LaunchTemplate template = LaunchTemplate.builder(ProcessProvider.NAME)
        .parameter("command", java + " -Xshare:auto -XX:TieredStopAtLevel=1 -cp " + classes + " "
            + TinyHttpServer.class.getName())
        .parameter("terminateTimeoutMs", "5000").build();
    ScalingGroup g = ScalingGroup.create(vertx, ScalingGroupConfig.builder("proc-zones", template)
        .provider(processes).capacity(0, 2, 2).targetGroups(targetGroup).build());
    LoadBalancedClient client = LoadBalancedClient.create(vertx).addTargetGroup(targetGroup);
    try {
      g.start().await();
      await().atMost(Duration.ofSeconds(60)).until(() -> g.instances().size() == 2
          && g.instances().stream().allMatch(x -> x.state() == InstanceState.IN_SERVICE));
      assertThat(g.instances()).extracting(Instance::zone).containsExactlyInAnyOrder("zone-a", "zone-b");
      for (int i = 0; i < 4; i++) {
        LoadBalancedResponse r = client.get("web", "/").send().await();
        // the process got LOADSTAR_ZONE, and its target carries the same zone
        assertThat(r.response().getHeader("x-zone")).isEqualTo(r.target().zone()).isNotNull();
      }
    } finally {
      client.close().await();
      g.close().await();
      processes.close().await();
    }
  }
}
