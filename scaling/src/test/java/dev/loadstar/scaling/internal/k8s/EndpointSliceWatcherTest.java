package dev.loadstar.scaling.internal.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loadstar.scaling.internal.k8s.EndpointSliceWatcher.ServiceEndpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The EndpointSlice watcher against the fabric8 mock API server (CRUD mode). */
@EnableKubernetesMockClient(crud = true)
class EndpointSliceWatcherTest {

  private static final Logger MOCK_LOG = Logger.getLogger("io.fabric8.mockwebserver");

  static {
    MOCK_LOG.setLevel(Level.WARNING);
  }

  KubernetesClient client;

  @AfterEach
  void closeClient() {
    // the mock API server's shutdown waits for open connections (the watch): close them from the client side first
    client.close();
  }

  private static Endpoint endpoint(String pod, String ip, Boolean ready, Boolean terminating, String zone) {
    return new EndpointBuilder().withAddresses(ip).withZone(zone)
        .withNewConditions().withReady(ready).withTerminating(terminating).endConditions()
        .withNewTargetRef().withKind("Pod").withName(pod).endTargetRef().build();
  }

  private void slice(String name, String service, Endpoint... endpoints) {
    client.discovery().v1().endpointSlices().inNamespace("ns").resource(new EndpointSliceBuilder()
        .withNewMetadata().withName(name).withNamespace("ns").addToLabels(EndpointSliceWatcher.SERVICE_NAME_LABEL,
            service).endMetadata()
        .withAddressType("IPv4")
        .addNewPort().withName("metrics").withPort(9090).endPort()
        .addNewPort().withName("http").withPort(8080).endPort()
        .withEndpoints(endpoints).build()).createOr(r -> r.update());
  }

  @Test
  void reportsEveryEndpointOfTheServiceAcrossSlicesAndFollowsChanges() {
    slice("web-a", "web", endpoint("web-1", "10.1.0.1", true, false, "zone-a"),
        endpoint("web-2", "10.1.0.2", null, null, null));
    slice("other-a", "other", endpoint("other-1", "10.2.0.1", true, false, null));
    List<List<ServiceEndpoint>> reports = new CopyOnWriteArrayList<>();
    try (EndpointSliceWatcher watcher = new EndpointSliceWatcher(client, "ns", "web", "http", reports::add)) {
      watcher.start();
      assertThat(watcher.current()).containsExactly(
          new ServiceEndpoint("web-1", "10.1.0.1", 8080, "zone-a", null, true, false),
          new ServiceEndpoint("web-2", "10.1.0.2", 8080, null, null, true, false));

      // A second slice of the same Service, with a pod that is not ready and one that is terminating.
      slice("web-b", "web", endpoint("web-3", "10.1.0.3", false, false, null),
          endpoint("web-4", "10.1.0.4", true, true, null));
      await().atMost(Duration.ofSeconds(30)).until(() -> watcher.current().size() == 4);
      assertThat(watcher.current()).filteredOn(ServiceEndpoint::routable).extracting(ServiceEndpoint::name)
          .containsExactly("web-1", "web-2");

      // The first slice is deleted: only the second's endpoints remain.
      client.discovery().v1().endpointSlices().inNamespace("ns").withName("web-a").delete();
      await().atMost(Duration.ofSeconds(30)).until(() -> watcher.current().size() == 2);
      assertThat(watcher.current()).extracting(ServiceEndpoint::name).containsExactly("web-3", "web-4");
      assertThat(reports.get(reports.size() - 1)).isEqualTo(watcher.current());
      assertThat(reports).allSatisfy(r -> assertThat(r).noneMatch(e -> e.name().startsWith("other")));
    }
  }

  @Test
  void takesTheFirstPortWhenNoNameIsGiven() {
    slice("web-a", "web", endpoint("web-1", "10.1.0.1", true, false, null));
    try (EndpointSliceWatcher watcher = new EndpointSliceWatcher(client, "ns", "web", null, r -> { })) {
      watcher.start();
      assertThat(watcher.current()).extracting(ServiceEndpoint::port).containsExactly(9090);
      // closed only once the watch is up: the mock API server cannot shut down while a watch handshake it has
      // accepted is still half-open (its shutdown then times out after the test)
      await().atMost(Duration.ofSeconds(30)).until(watcher::isWatching);
    }
  }
}
