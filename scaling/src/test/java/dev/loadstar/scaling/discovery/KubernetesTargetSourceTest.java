package dev.loadstar.scaling.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loadstar.core.RegisteredTarget;
import dev.loadstar.core.Target;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetGroupConfig;
import dev.loadstar.core.discovery.DiscoveryConfig;
import dev.loadstar.core.discovery.TargetDiscovery;
import dev.loadstar.core.discovery.TargetSource;
import dev.loadstar.core.discovery.TargetSourceStatus;
import dev.loadstar.core.discovery.TargetSourceStatus.State;
import dev.loadstar.core.time.ManualTimeSource;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code kubernetes} target source against the fabric8 mock API server (CRUD mode, plain HTTP on 127.0.0.1),
 * always through {@link TargetDiscovery} into a real target group. The mock has no EndpointSlice controller: the
 * tests write the slices a controller would. Endpoint addresses are in 10.1.0.0/24 and are never contacted.
 */
@EnableKubernetesMockClient(https = false, crud = true)
class KubernetesTargetSourceTest {

  private static final String NS = "shop";
  private static final Duration WAIT = Duration.ofSeconds(30);

  /** The mock server logs every request at INFO; keep a strong reference while quieting it. */
  private static final Logger MOCK_LOG = Logger.getLogger("io.fabric8.mockwebserver");

  static {
    MOCK_LOG.setLevel(Level.WARNING);
  }

  KubernetesClient client;

  @TempDir
  Path dir;

  private Vertx vertx;
  private TargetGroup group;
  private TargetDiscovery discovery;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    group = TargetGroup.create(vertx, TargetGroupConfig.builder("web").deregistrationDelay(Duration.ZERO).build());
  }

  @AfterEach
  void tearDown() {
    if (discovery != null) {
      discovery.close().await();
    }
    group.close().await();
    vertx.close().await();
    // the mock API server's shutdown waits for open connections (the watch): close them from the client side first
    client.close();
  }

  // ------------------------------------------------------------------ helpers

  private static Endpoint endpoint(String pod, String ip, Boolean ready, Boolean terminating) {
    return new EndpointBuilder().withAddresses(ip)
        .withNewConditions().withReady(ready).withTerminating(terminating).endConditions()
        .withNewTargetRef().withKind("Pod").withName(pod).withNamespace(NS).endTargetRef().build();
  }

  private static EndpointPort port(String name, int number) {
    return new EndpointPortBuilder().withName(name).withPort(number).withProtocol("TCP").build();
  }

  private static final EndpointPort[] WEB_PORTS = {port("metrics", 9090), port("http", 8080)};

  /** Creates or replaces a slice of {@code service} the way the EndpointSlice controller would. */
  private void slice(KubernetesClient c, String name, String service, EndpointPort[] ports, Endpoint... endpoints) {
    c.discovery().v1().endpointSlices().inNamespace(NS).resource(new EndpointSliceBuilder()
        .withNewMetadata().withName(name).withNamespace(NS)
        .addToLabels("kubernetes.io/service-name", service).endMetadata()
        .withAddressType("IPv4")
        .withPorts(ports)
        .withEndpoints(endpoints).build()).createOr(r -> r.update());
  }

  private void slice(String name, Endpoint... endpoints) {
    slice(client, name, "web", WEB_PORTS, endpoints);
  }

  private void deleteSlice(String name) {
    client.discovery().v1().endpointSlices().inNamespace(NS).withName(name).delete();
  }

  private TargetDiscovery start(TargetSource source) {
    discovery = TargetDiscovery.start(vertx, group, DiscoveryConfig.builder()
        .addSource(source)
        .removalDelay(Duration.ZERO)
        .build());
    return discovery;
  }

  /** Starts on fake time: the source checks its watch only when the test moves time. */
  private TargetDiscovery start(TargetSource source, ManualTimeSource time) {
    discovery = TargetDiscovery.start(vertx, group, DiscoveryConfig.builder()
        .addSource(source)
        .removalDelay(Duration.ZERO)
        .build(), time);
    return discovery;
  }

  /** Moves fake time one watch check (1 s) at a time until the condition holds (the informer runs in real time). */
  private static void checkUntil(ManualTimeSource time, Callable<Boolean> condition) {
    await().atMost(WAIT).pollInterval(Duration.ofMillis(20)).until(() -> {
      time.advance(Duration.ofSeconds(1));
      return condition.call();
    });
  }

  /** The group's active targets: id to address. */
  private Map<String, String> targets() {
    return group.targets().stream().filter(RegisteredTarget::isActive)
        .collect(Collectors.toMap(t -> t.target().id(), t -> t.target().address(), (a, b) -> a, TreeMap::new));
  }

  private TargetSourceStatus status() {
    return discovery.status().get(0);
  }

  private KubernetesSourceOptions web() {
    return new KubernetesSourceOptions().setNamespace(NS).setService("web").setPortName("http");
  }

  // ------------------------------------------------------------------ tests

  @Test
  void theGroupFollowsTheReadyEndpointsAsEndpointSlicesAreAddedChangedAndRemoved() {
    slice("web-a", new EndpointBuilder(endpoint("web-1", "10.1.0.1", true, false))
            .withZone("zone-a").withNodeName("node-1").build(),
        endpoint("web-2", "10.1.0.2", false, false));
    slice("web-b", endpoint("web-3", "10.1.0.3", true, null), endpoint("web-4", "10.1.0.4", true, true));
    slice(client, "other-a", "other", WEB_PORTS, endpoint("other-1", "10.1.0.9", true, false));

    start(KubernetesTargetSource.create(web(), client));
    discovery.whenReady(WAIT).await();

    // Only ready, not terminating endpoints of this Service; id the pod, port by name, zone from the endpoint.
    assertThat(targets()).containsExactly(Map.entry("web-1", "10.1.0.1:8080"), Map.entry("web-3", "10.1.0.3:8080"));
    Target web1 = group.target("web-1").target();
    assertThat(web1.zone()).isEqualTo("zone-a");
    assertThat(web1.metadata()).containsExactly(Map.entry("namespace", NS), Map.entry("service", "web"),
        Map.entry("node", "node-1"));
    assertThat(group.target("web-3").target().zone()).isNull();
    assertThat(status().state()).isEqualTo(State.OK);
    assertThat(status().type()).isEqualTo("kubernetes");
    assertThat(status().description()).isEqualTo("EndpointSlices of Service shop/web port http");

    // A slice is added.
    slice("web-c", endpoint("web-5", "10.1.0.5", true, false));
    await().atMost(WAIT).until(() -> targets().keySet().equals(Set.of("web-1", "web-3", "web-5")));

    // A slice is removed: its endpoints leave.
    deleteSlice("web-a");
    await().atMost(WAIT).until(() -> targets().keySet().equals(Set.of("web-3", "web-5")));

    // An endpoint stops being ready: it leaves; the not-ready one that becomes ready joins.
    slice("web-b", endpoint("web-3", "10.1.0.3", false, false), endpoint("web-4", "10.1.0.4", true, false));
    await().atMost(WAIT).until(() -> targets().keySet().equals(Set.of("web-4", "web-5")));

    // The last slice is gone too: that is no Service, a failure, and the last known good targets stay.
    deleteSlice("web-b");
    await().atMost(WAIT).until(() -> targets().keySet().equals(Set.of("web-5")));
    deleteSlice("web-c");
    await().atMost(WAIT).until(() -> status().state() == State.FAILING);
    assertThat(status().lastError()).isEqualTo("EndpointSlices of Service shop/web port http: no EndpointSlice "
        + "labelled kubernetes.io/service-name=web in namespace shop (no such Service, or one without a selector "
        + "and without slices of its own)");
    assertThat(status().targetCount()).isEqualTo(1);
    assertThat(targets()).containsOnlyKeys("web-5");

    // The Service exists with zero endpoints (the controller's empty placeholder slice): an explicit empty answer.
    slice("web-p");
    await().atMost(WAIT).until(() -> status().state() == State.OK);
    assertThat(status().targetCount()).isZero();
    await().atMost(WAIT).until(() -> targets().isEmpty());

    // Endpoints come back.
    slice("web-p", endpoint("web-6", "10.1.0.6", null, null));
    await().atMost(WAIT).until(() -> targets().equals(Map.of("web-6", "10.1.0.6:8080")));
  }

  @Test
  void slicesWithoutTheNamedPortAreAFailureUntilThePortAppears() {
    slice("web-a", endpoint("web-1", "10.1.0.1", true, false));
    start(KubernetesTargetSource.create(web().setPortName("grpc"), client));

    await().atMost(WAIT).until(() -> status().state() == State.FAILING);
    assertThat(status().lastError()).isEqualTo("EndpointSlices of Service shop/web port grpc: no port named "
        + "\"grpc\" in the Service's EndpointSlices (ports: metrics, http)");
    assertThat(discovery.isReady()).isFalse();
    assertThat(targets()).isEmpty();

    slice(client, "web-a", "web", new EndpointPort[] {port("http", 8080), port("grpc", 9443)},
        endpoint("web-1", "10.1.0.1", true, false));
    discovery.whenReady(WAIT).await();
    assertThat(targets()).containsExactly(Map.entry("web-1", "10.1.0.1:9443"));
  }

  @Test
  void isFoundByTypeNameAndBuildsItsOwnClientFromAKubeconfigContext() throws Exception {
    slice("web-a", endpoint("web-1", "10.1.0.1", true, false), endpoint("web-2", "10.1.0.2", true, false));
    // The current context points at nothing; the source is told to use the "mock" context, whose namespace is shop.
    Path kubeconfig = dir.resolve("kubeconfig");
    Files.writeString(kubeconfig, String.join("\n",
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        "- name: mock",
        "  cluster: {server: '" + client.getConfiguration().getMasterUrl() + "'}",
        "- name: nowhere",
        "  cluster: {server: 'http://127.0.0.1:1'}",
        "contexts:",
        "- name: mock",
        "  context: {cluster: mock, namespace: shop, user: tester}",
        "- name: nowhere",
        "  context: {cluster: nowhere, namespace: elsewhere, user: tester}",
        "current-context: nowhere",
        "users:",
        "- name: tester",
        "  user: {token: not-checked-by-the-mock}",
        ""));

    DiscoveryConfig config = DiscoveryConfig.fromJson(new JsonObject()
        .put("removalDelay", "0s")
        .put("sources", new JsonArray().add(new JsonObject()
            .put("type", "kubernetes").put("name", "pods")
            .put("service", "web").put("port", 7000)
            .put("kubeconfig", kubeconfig.toString()).put("context", "mock"))));
    discovery = TargetDiscovery.start(vertx, group, config);
    discovery.whenReady(WAIT).await();

    // A port number is given to every endpoint, whatever the slice's ports.
    assertThat(targets()).containsExactly(Map.entry("web-1", "10.1.0.1:7000"), Map.entry("web-2", "10.1.0.2:7000"));
    assertThat(discovery.status("pods").type()).isEqualTo("kubernetes");
    assertThat(group.target("web-1").target().metadata()).containsEntry("namespace", NS);

    deleteSlice("web-a");
    slice("web-b", endpoint("web-2", "10.1.0.2", true, false));
    await().atMost(WAIT).until(() -> targets().keySet().equals(Set.of("web-2")));
  }

  @Test
  void reportsAnUnreachableApiServerKeepsTheLastKnownTargetsAndCatchesUpAfterwards() {
    slice("web-a", endpoint("web-1", "10.1.0.1", true, false), endpoint("web-2", "10.1.0.2", true, false));
    CuttableProxy proxy = new CuttableProxy(vertx, client.getConfiguration().getMasterUrl());
    int proxyPort = proxy.start();
    try (KubernetesClient proxied = new KubernetesClientBuilder().withConfig(
        new ConfigBuilder(client.getConfiguration())
            .withMasterUrl("http://127.0.0.1:" + proxyPort)
            .withRequestRetryBackoffLimit(0)
            .withWatchReconnectInterval(100)
            .build()).build()) {
      // Unreachable from the start: the failed list is reported and retried; no answer yet.
      proxy.cut();
      ManualTimeSource time = new ManualTimeSource();
      start(KubernetesTargetSource.create(web(), proxied), time);
      await().atMost(WAIT).until(() -> status().state() == State.FAILING);
      // The proxy accepts and closes at once; a stopped server would read "Connection refused".
      assertThat(status().lastError()).isEqualTo("EndpointSlices of Service shop/web port http: "
          + "java.io.IOException: Connection was closed");
      assertThat(discovery.isReady()).isFalse();
      await().atMost(WAIT).until(() -> status().consecutiveFailures() >= 2);

      proxy.restore();
      discovery.whenReady(WAIT).await();
      assertThat(targets()).containsOnlyKeys("web-1", "web-2");
      assertThat(status().state()).isEqualTo(State.OK);

      // The connection is lost while watching: two checks find the watch down, the source fails, the group keeps
      // what it had. The API server is unreachable without an answer (a partition): the informer's reconnects hang
      // instead of failing at once, so its own error report (on its real-time backoff) cannot come before the
      // checks on fake time, which a loaded machine's polling may take long to make.
      proxy.partition();
      checkUntil(time, () -> status().state() == State.FAILING);
      assertThat(status().lastError()).isEqualTo("EndpointSlices of Service shop/web port http: the watch is down, "
          + "reconnecting (last known targets kept)");
      assertThat(status().targetCount()).isEqualTo(2);
      assertThat(targets()).containsOnlyKeys("web-1", "web-2");

      // Meanwhile the Service changes; once the API server is reachable again the group catches up.
      slice("web-a", endpoint("web-2", "10.1.0.2", true, false), endpoint("web-3", "10.1.0.3", true, false));
      assertThat(targets()).containsOnlyKeys("web-1", "web-2");
      proxy.restore();
      checkUntil(time, () -> targets().keySet().equals(Set.of("web-2", "web-3")) && status().state() == State.OK);

      // And the watch works again.
      slice("web-a", endpoint("web-3", "10.1.0.3", true, false));
      await().atMost(WAIT).until(() -> targets().keySet().equals(Set.of("web-3")));
    } finally {
      proxy.stop();
    }
  }

  /**
   * A TCP proxy on 127.0.0.1 that can drop every connection and close new ones at once, or hold new ones without an
   * answer (a partition), then let them through again.
   */
  private static final class CuttableProxy {
    private final Vertx vertx;
    private final int targetPort;
    private final Set<NetSocket> sockets = ConcurrentHashMap.newKeySet();
    /** Connections accepted during a partition: open, never answered. */
    private final Set<NetSocket> held = ConcurrentHashMap.newKeySet();
    private volatile boolean down;
    private volatile boolean silent;
    private NetServer server;
    private NetClient netClient;

    CuttableProxy(Vertx vertx, String targetUrl) {
      this.vertx = vertx;
      this.targetPort = java.net.URI.create(targetUrl).getPort();
    }

    int start() {
      netClient = vertx.createNetClient();
      server = vertx.createNetServer().connectHandler(in -> {
        if (down) {
          if (silent) {
            in.pause();
            held.add(in);
          } else {
            in.close();
          }
          return;
        }
        in.pause();
        sockets.add(in);
        in.closeHandler(v -> sockets.remove(in));
        netClient.connect(targetPort, "127.0.0.1").onComplete(ar -> {
          if (ar.failed() || down) {
            in.close();
            if (ar.succeeded()) {
              ar.result().close();
            }
            return;
          }
          NetSocket out = ar.result();
          sockets.add(out);
          out.closeHandler(v -> {
            sockets.remove(out);
            in.close();
          });
          in.closeHandler(v -> {
            sockets.remove(in);
            out.close();
          });
          out.pipeTo(in);
          in.pipeTo(out);
        });
      });
      server.listen(0, "127.0.0.1").await();
      return server.actualPort();
    }

    void cut() {
      down = true;
      sockets.forEach(NetSocket::close);
    }

    /** Drops every connection and holds new ones without an answer until {@link #restore}. */
    void partition() {
      silent = true;
      cut();
    }

    /** Lets new connections through; those held by a partition are closed (their clients retry). */
    void restore() {
      down = false;
      silent = false;
      held.forEach(NetSocket::close);
      held.clear();
    }

    void stop() {
      cut();
      held.forEach(NetSocket::close);
      server.close().await();
      netClient.close().await();
    }
  }
}
