package dev.loadstar.scaling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loadstar.core.RegisteredTarget;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetGroupConfig;
import dev.loadstar.scaling.providers.KubernetesProvider;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes provider against the fabric8 mock API server (CRUD mode). The mock has no controllers, so a small
 * fake controller here plays the ReplicaSet and EndpointSlice controllers: it keeps as many pods as the
 * Deployment's replicas (removing the lowest pod-deletion-cost first) and lists them in the Service's
 * EndpointSlice. Pod addresses are in 127.0.1.0/24 and are never contacted.
 */
@EnableKubernetesMockClient(crud = true)
class KubernetesProviderTest {

  private static final String NS = "shop";
  private static final String APP = "web";
  private static final String SLICE = "web-x7k2p";

  /** The mock server logs every request at INFO; keep a strong reference while quieting it. */
  private static final Logger MOCK_LOG = Logger.getLogger("io.fabric8.mockwebserver");

  static {
    MOCK_LOG.setLevel(Level.WARNING);
  }

  KubernetesClient client;

  private Vertx vertx;
  private TargetGroup targetGroup;
  private KubernetesProvider provider;
  private ScalingGroup group;
  private long controllerTimer;
  private int podSequence;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    client.apps().deployments().inNamespace(NS).resource(new DeploymentBuilder()
        .withNewMetadata().withName(APP).withNamespace(NS).endMetadata()
        .withNewSpec().withReplicas(0).withNewSelector().addToMatchLabels("app", APP).endSelector().endSpec()
        .build()).create();
    client.discovery().v1().endpointSlices().inNamespace(NS).resource(new EndpointSliceBuilder()
        .withNewMetadata().withName(SLICE).withNamespace(NS)
        .addToLabels("kubernetes.io/service-name", APP).endMetadata()
        .withAddressType("IPv4")
        .addNewPort().withName("http").withPort(8080).withProtocol("TCP").endPort()
        .build()).create();
    targetGroup = TargetGroup.create(vertx, TargetGroupConfig.builder("web-pods")
        .deregistrationDelay(Duration.ofSeconds(5)).build());
    provider = new KubernetesProvider(vertx, client);
    controllerTimer = vertx.setPeriodic(100, id -> vertx.executeBlocking(() -> {
      fakeControllers();
      return null;
    }, true));
  }

  @AfterEach
  void tearDown() {
    vertx.cancelTimer(controllerTimer);
    if (group != null) {
      group.close().await();
    }
    provider.close().await();
    targetGroup.close().await();
    vertx.close().await();
    // the mock API server's shutdown waits for open connections (the watch): close them from the client side first
    client.close();
  }

  @Test
  void scalesTheDeploymentAndFollowsItsReadyEndpointsAsTargets() {
    group = ScalingGroup.create(vertx, ScalingGroupConfig.builder("web-asg",
            LaunchTemplate.builder(KubernetesProvider.NAME).parameter("namespace", NS).parameter("deployment", APP)
                .parameter("portName", "http").parameter("launchTimeoutMs", "60000").build())
        .provider(provider)
        .capacity(0, 2, 3)
        .healthCheckInterval(Duration.ofMillis(100))
        .launchBackoff(Duration.ofMillis(200), Duration.ofSeconds(1))
        .targetGroups(targetGroup)
        .build());
    group.start().await();

    // Desired 2: the Deployment is scaled to 2 and both pods' endpoints become targets.
    await().atMost(Duration.ofSeconds(60)).until(() -> inService().size() == 2);
    assertThat(replicas()).as("%s", group.activities()).isEqualTo(2);
    assertThat(targetIds()).as("%s", group.activities()).isEqualTo(podNames()).isEqualTo(Set.copyOf(inService()));
    for (RegisteredTarget t : targetGroup.targets()) {
      Pod pod = client.pods().inNamespace(NS).withName(t.target().id()).get();
      assertThat(t.target().host()).isEqualTo(pod.getStatus().getPodIP());
      assertThat(t.target().port()).isEqualTo(8080);
    }

    // A pod disappears (deleted outside the group): its endpoint leaves the slice, its target leaves the group,
    // and the group gets back to two instances.
    String lost = inService().get(0);
    client.pods().inNamespace(NS).withName(lost).delete();
    await().atMost(Duration.ofSeconds(60)).until(() -> targetGroup.target(lost) == null
        && group.instance(lost) == null && inService().size() == 2 && replicas() == 2
        && podNames().equals(targetIds()));
    assertThat(targetIds()).doesNotContain(lost);

    // Desired 1: one instance drains and its pod (marked with the lowest deletion cost) is the one removed.
    List<String> before = inService();
    group.setDesiredCapacity(1).await();
    await().atMost(Duration.ofSeconds(60)).until(() -> group.instances().size() == 1 && replicas() == 1
        && podNames().size() == 1);
    String kept = group.instances().get(0).id();
    assertThat(before).contains(kept);
    assertThat(podNames()).containsExactly(kept);
    await().atMost(Duration.ofSeconds(5)).until(() -> targetIds().equals(Set.of(kept)));
  }

  private List<String> inService() {
    return group.instances().stream().filter(i -> i.state() == InstanceState.IN_SERVICE).map(Instance::id)
        .collect(Collectors.toList());
  }

  private Set<String> targetIds() {
    return targetGroup.targets().stream().map(t -> t.target().id()).collect(Collectors.toSet());
  }

  private Set<String> podNames() {
    return client.pods().inNamespace(NS).withLabel("app", APP).list().getItems().stream()
        .map(p -> p.getMetadata().getName()).collect(Collectors.toSet());
  }

  private int replicas() {
    return client.apps().deployments().inNamespace(NS).withName(APP).get().getSpec().getReplicas();
  }

  /** Plays the ReplicaSet controller (pods follow replicas) and the EndpointSlice controller (slice follows pods). */
  private void fakeControllers() {
    int replicas = replicas();
    List<Pod> pods = new ArrayList<>(client.pods().inNamespace(NS).withLabel("app", APP).list().getItems());
    while (pods.size() < replicas) {
      int n = ++podSequence;
      pods.add(client.pods().inNamespace(NS).resource(new PodBuilder()
          .withNewMetadata().withName(APP + "-" + String.format("%05d", n)).withNamespace(NS)
          .addToLabels("app", APP).endMetadata()
          .withNewStatus().withPodIP("127.0.1." + n).withPhase("Running").endStatus()
          .build()).create());
    }
    if (pods.size() > replicas) {
      pods.sort(Comparator.comparingInt(KubernetesProviderTest::deletionCost)
          .thenComparing(p -> p.getMetadata().getName(), Comparator.reverseOrder()));
      while (pods.size() > replicas) {
        Pod victim = pods.remove(0);
        client.pods().inNamespace(NS).withName(victim.getMetadata().getName()).delete();
      }
    }
    List<Endpoint> endpoints = new ArrayList<>();
    pods.sort(Comparator.comparing(p -> p.getMetadata().getName()));
    for (Pod p : pods) {
      endpoints.add(new EndpointBuilder().withAddresses(p.getStatus().getPodIP())
          .withNewConditions().withReady(true).withServing(true).withTerminating(false).endConditions()
          .withNewTargetRef().withKind("Pod").withName(p.getMetadata().getName()).withNamespace(NS).endTargetRef()
          .build());
    }
    EndpointSlice slice = client.discovery().v1().endpointSlices().inNamespace(NS).withName(SLICE).get();
    if (!endpoints.equals(slice.getEndpoints() == null ? List.of() : slice.getEndpoints())) {
      client.discovery().v1().endpointSlices().inNamespace(NS).withName(SLICE)
          .edit(s -> new EndpointSliceBuilder(s).withEndpoints(endpoints).build());
    }
  }

  private static int deletionCost(Pod p) {
    Map<String, String> annotations = p.getMetadata().getAnnotations();
    String cost = annotations == null ? null : annotations.get(KubernetesProvider.POD_DELETION_COST);
    return cost == null ? 0 : Integer.parseInt(cost);
  }
}
