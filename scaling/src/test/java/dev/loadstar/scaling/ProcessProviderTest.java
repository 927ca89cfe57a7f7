package dev.loadstar.scaling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loadstar.core.LoadBalancedClient;
import dev.loadstar.core.LoadBalancedResponse;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetGroupConfig;
import dev.loadstar.scaling.providers.ProcessProvider;
import io.vertx.core.Vertx;
import java.io.File;
import java.nio.file.Path;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The process provider: instances are JVMs started from a command template; a killed one is replaced. */
class ProcessProviderTest {

  private Vertx vertx;
  private ProcessProvider provider;
  private TargetGroup targetGroup;
  private LoadBalancedClient client;
  private ScalingGroup group;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    provider = new ProcessProvider(vertx);
    targetGroup = TargetGroup.create(vertx, TargetGroupConfig.builder("procs")
        .deregistrationDelay(Duration.ofSeconds(30)).build());
    client = LoadBalancedClient.create(vertx).addTargetGroup(targetGroup);
  }

  @AfterEach
  void tearDown() {
    if (group != null) {
      group.close().await();
    }
    client.close().await();
    targetGroup.close().await();
    provider.close().await();
    vertx.close().await();
  }

  private static LaunchTemplate javaTemplate() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String classes = new File(TinyHttpServer.class.getProtectionDomain().getCodeSource().getLocation().toURI())
        .getPath();
    return LaunchTemplate.builder(ProcessProvider.NAME)
        .parameter("command", java + " -Xshare:auto -XX:TieredStopAtLevel=1 -cp " + classes + " "
            + TinyHttpServer.class.getName() + " --port ${port}")
        .parameter("terminateTimeoutMs", "5000")
        .build();
  }

  @Test
  void processKilledWithSigkillIsReportedNotRunningAndReplaced() throws Exception {
    group = ScalingGroup.create(vertx, ScalingGroupConfig.builder("proc-asg", javaTemplate())
        .provider(provider)
        .capacity(0, 1, 2)
        .healthCheckInterval(Duration.ofMillis(200))
        .targetGroups(targetGroup)
        .build());
    group.start().await();
    await().atMost(Duration.ofSeconds(30)).until(() -> inService() != null);
    Instance first = inService();

    // The process serves its own id on the port it was given.
    LoadBalancedResponse r = client.get("procs", "/").send().await();
    assertThat(r.bodyAsString()).isEqualTo("<h1>" + first.id() + "</h1>");
    assertThat(r.target().port()).isEqualTo(first.port());

    ProcessHandle process = provider.process(first.id());
    assertThat(process.isAlive()).isTrue();
    process.destroyForcibly();

    await().atMost(Duration.ofSeconds(30)).until(() -> group.instance(first.id()) == null && inService() != null);
    Instance second = inService();
    assertThat(second.id()).isNotEqualTo(first.id());
    assertThat(targetGroup.target(first.id())).isNull();
    assertThat(targetGroup.target(second.id())).isNotNull();
    ScalingActivity termination = group.activities().stream()
        .filter(a -> a.kind() == ScalingActivity.Kind.TERMINATE && first.id().equals(a.instanceId()))
        .findFirst().orElseThrow();
    assertThat(termination.cause()).contains("an instance was taken out of service in response to an instance"
        + " status check failure (the provider reports the instance stopped)");
    assertThat(client.get("procs", "/").send().await().bodyAsString()).isEqualTo("<h1>" + second.id() + "</h1>");

    // Scale in to zero: the process is asked to stop and exits.
    ProcessHandle secondProcess = provider.process(second.id());
    group.setDesiredCapacity(0).await();
    await().atMost(Duration.ofSeconds(60)).until(() -> group.instances().isEmpty());
    assertThat(secondProcess.isAlive()).isFalse();
  }

  @Test
  void aProviderInALaterRunAdoptsTheRecordedProcessesAndTheGroupKeepsTheNewest(@TempDir Path stateDir)
      throws Exception {
    LaunchTemplate template = LaunchTemplate.builder(ProcessProvider.NAME).parameters(javaTemplate().parameters())
        .parameter("stateDirectory", stateDir.toString()).build();
    List<ProcessHandle> started = new ArrayList<>();
    try {
      ScalingGroup first = ScalingGroup.create(vertx, ScalingGroupConfig.builder("proc-restart", template)
          .provider(provider).capacity(0, 1, 2).build());
      first.start().await();
      await().atMost(Duration.ofSeconds(30)).until(() -> first.instances().size() == 1
          && first.instances().get(0).state() == InstanceState.IN_SERVICE);
      first.setDesiredCapacity(2).await();
      await().atMost(Duration.ofSeconds(30)).until(() -> first.instances().size() == 2
          && first.instances().stream().allMatch(i -> i.state() == InstanceState.IN_SERVICE));
      List<Instance> launched = first.instances();
      for (Instance i : launched) {
        started.add(provider.process(i.id()));
      }
      first.close().await();
      provider.close().await();
      assertThat(started).allMatch(ProcessHandle::isAlive);

      // A later run: a new provider and group of the same name, desired 1.
      provider = new ProcessProvider(vertx);
      group = ScalingGroup.create(vertx, ScalingGroupConfig.builder("proc-restart", template)
          .provider(provider).capacity(0, 1, 2).targetGroups(targetGroup).build());
      group.start().await();
      await().atMost(Duration.ofSeconds(30)).until(() -> group.instances().size() == 1 && !started.get(0).isAlive());
      assertThat(group.instances().get(0).id()).isEqualTo(launched.get(1).id());
      assertThat(provider.process(launched.get(1).id()).pid()).isEqualTo(started.get(1).pid());
      assertThat(group.activities()).noneMatch(a -> a.kind() == ScalingActivity.Kind.LAUNCH);
      assertThat(client.get("procs", "/").send().await().bodyAsString())
          .isEqualTo("<h1>" + launched.get(1).id() + "</h1>");
      try (var files = Files.list(stateDir)) {
        assertThat(files.map(f -> f.getFileName().toString()).toList())
            .containsExactly(launched.get(1).id() + ".instance");
      }

      group.setDesiredCapacity(0).await();
      await().atMost(Duration.ofSeconds(30)).until(() -> group.instances().isEmpty() && !started.get(1).isAlive());
      try (var files = Files.list(stateDir)) {
        assertThat(files.toList()).isEmpty();
      }
    } finally {
      started.forEach(ProcessHandle::destroyForcibly);
    }
  }

  private Instance inService() {
    return group.instances().stream().filter(i -> i.state() == InstanceState.IN_SERVICE).findFirst().orElse(null);
  }
}
