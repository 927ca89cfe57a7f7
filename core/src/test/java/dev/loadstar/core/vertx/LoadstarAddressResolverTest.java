package dev.loadstar.core.vertx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.loadstar.core.RefusingPorts;
import dev.loadstar.core.Target;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetGroupConfig;
import dev.loadstar.core.TargetHealth;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.endpoint.LoadBalancer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LoadstarAddressResolverTest {

  private Vertx vertx;
  private final List<HttpClientAgent> clients = new ArrayList<>();
  private final Queue<Promise<Void>> held = new ConcurrentLinkedQueue<>();
  private final RefusingPorts refusing = new RefusingPorts();

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void tearDown() {
    for (HttpClientAgent c : clients) {
      c.close().await();
    }
    vertx.close().await();
    refusing.close();
  }

  private int backend(String name) {
    HttpServer s = vertx.createHttpServer().requestHandler(req -> {
      if (req.path().equals("/hold")) {
        Promise<Void> p = Promise.promise();
        held.add(p);
        p.future().onComplete(v -> req.response().end(name));
      } else {
        req.response().end(name);
      }
    }).listen(0, "127.0.0.1").await();
    return s.actualPort();
  }

  private TargetGroup group(boolean healthChecked, String... names) {
    TargetGroup g = TargetGroup.create(vertx, TargetGroupConfig.builder("orders").healthCheckEnabled(healthChecked)
        .deregistrationDelay(Duration.ZERO).build());
    for (String n : names) {
      g.register(Target.of(n, "127.0.0.1", backend(n)));
      if (healthChecked) {
        g.updateHealth(n, TargetHealth.HEALTHY);
      }
    }
    return g;
  }

  private HttpClientAgent client(LoadstarAddressResolver resolver, LoadBalancer balancer) {
    var builder = vertx.httpClientBuilder().withAddressResolver(resolver);
    if (balancer != null) {
      builder.withLoadBalancer(balancer);
    }
    HttpClientAgent c = builder.build();
    clients.add(c);
    return c;
  }

  private static Future<String> get(HttpClientAgent client, String group, String uri) {
    return client.request(new RequestOptions().setServer(TargetGroupAddress.of(group)).setMethod(HttpMethod.GET)
        .setURI(uri)).compose(req -> req.send().compose(HttpClientResponse::body)).map(Object::toString);
  }

  private static List<String> send(HttpClientAgent client, int n) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(get(client, "orders", "/").await());
    }
    return out;
  }

  private static void assertAlternates(List<String> served, String a, String b) {
    assertThat(served).containsOnly(a, b);
    for (int i = 1; i < served.size(); i++) {
      assertThat(served.get(i)).as("request %d", i).isNotEqualTo(served.get(i - 1));
    }
  }

  @Test
  void plainHttpClientAlternatesBetweenTwoBackendsAndSkipsAnUnhealthyOne() {
    TargetGroup group = group(true, "i-a", "i-b", "i-c");
    HttpClientAgent client = client(LoadstarAddressResolver.create().addTargetGroup(group),
        LoadstarAddressResolver.loadBalancer());
    group.updateHealth("i-c", TargetHealth.unhealthy(TargetHealth.Reason.TARGET_TIMEOUT, "timed out"));
    assertAlternates(send(client, 20), "i-a", "i-b");

    group.updateHealth("i-c", TargetHealth.HEALTHY);
    group.updateHealth("i-a", TargetHealth.unhealthy(TargetHealth.Reason.TARGET_RESPONSE_CODE_MISMATCH, "500"));
    assertAlternates(send(client, 20), "i-b", "i-c");
  }

  @Test
  void loadstarBalancerCountsRequestsInFlightAndRecordsOutcomes() {
    TargetGroup group = group(false, "i-a", "i-b");
    HttpClientAgent client = client(LoadstarAddressResolver.create().addTargetGroup(group),
        LoadstarAddressResolver.loadBalancer());
    Future<String> first = get(client, "orders", "/hold");
    Future<String> second = get(client, "orders", "/hold");
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> held.size() == 2);
    assertThat(group.target("i-a").inFlight()).isEqualTo(1);
    assertThat(group.target("i-b").inFlight()).isEqualTo(1);
    held.forEach(Promise::complete);
    assertThat(List.of(first.await(), second.await())).containsExactlyInAnyOrder("i-a", "i-b");
    // Vert.x reports the response end to the balancer in no documented order with handing over the body, and ending
    // a request leaves the in-flight count before it counts the request
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThat(group.target("i-a").inFlight()).isZero();
      assertThat(group.target("i-b").inFlight()).isZero();
      assertThat(group.target("i-a").requestCount()).isEqualTo(1);
      assertThat(group.target("i-b").requestCount()).isEqualTo(1);
    });
    assertThat(group.target("i-a").failureCount()).isZero();
  }

  @Test
  void connectionFailuresAreRecordedAsFailures() {
    TargetGroup group = group(false, "i-a");
    group.register(Target.of("i-dead", "127.0.0.1", refusing.next()));
    HttpClientAgent client = client(LoadstarAddressResolver.create().addTargetGroup(group),
        LoadstarAddressResolver.loadBalancer());
    int failed = 0;
    for (int i = 0; i < 4; i++) {
      Future<String> f = get(client, "orders", "/");
      f.transform(ar -> Future.succeededFuture()).await();
      if (f.failed()) {
        failed++;
      }
    }
    assertThat(failed).isEqualTo(2);
    // Vert.x reports the failed interaction to the balancer in no documented order with failing the request
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThat(group.target("i-dead").failureCount()).isEqualTo(2);
      assertThat(group.target("i-dead").inFlight()).isZero();
    });
  }

  @Test
  void vertxOwnBalancerAlsoSeesOnlyTargetsThatTakeRequests() {
    TargetGroup group = group(true, "i-a", "i-b", "i-c");
    HttpClientAgent client = client(LoadstarAddressResolver.create().addTargetGroup(group), LoadBalancer.ROUND_ROBIN);
    group.updateHealth("i-b", TargetHealth.unhealthy(TargetHealth.Reason.TARGET_TIMEOUT, "timed out"));
    assertAlternates(send(client, 20), "i-a", "i-c");
    group.deregister("i-a").await();
    group.updateHealth("i-b", TargetHealth.HEALTHY);
    assertAlternates(send(client, 20), "i-b", "i-c");
  }

  @Test
  void newTargetsAreUsedWithoutRebuildingTheClient() {
    TargetGroup group = group(false, "i-a");
    HttpClientAgent client = client(LoadstarAddressResolver.create().addTargetGroup(group),
        LoadstarAddressResolver.loadBalancer());
    assertThat(send(client, 3)).containsOnly("i-a");
    group.register(Target.of("i-b", "127.0.0.1", backend("i-b")));
    assertAlternates(send(client, 10), "i-a", "i-b");
  }

  @Test
  void unknownGroupFailsTheRequest() {
    LoadstarAddressResolver resolver = LoadstarAddressResolver.create();
    HttpClientAgent client = client(resolver, LoadstarAddressResolver.loadBalancer());
    Throwable t = catchThrowable(() -> get(client, "nope", "/").await());
    assertThat(t).hasMessageContaining("address: nope (expected: the name of a target group added to the resolver)");
    assertThat(resolver.targetGroup("nope")).isNull();
  }

  @Test
  void groupWithNothingRoutableFailsTheRequest() {
    TargetGroup group = TargetGroup.create(vertx, TargetGroupConfig.builder("orders").build());
    HttpClientAgent client = client(LoadstarAddressResolver.create().addTargetGroup(group),
        LoadstarAddressResolver.loadBalancer());
    assertThat(catchThrowable(() -> get(client, "orders", "/").await())).isNotNull();
  }
}
