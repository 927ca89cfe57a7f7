package dev.loadstar.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Weights 1:3 through two real backends and the load-balanced client.
 */
class WeightedDistributionClientTest {

  private Vertx vertx;
  private IdBackends backends;
  private LoadBalancedClient client;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    backends = new IdBackends(vertx);
    client = LoadBalancedClient.create(vertx);
  }

  @AfterEach
  void tearDown() {
    client.close().await();
    vertx.close().await();
  }

  private int countOn(String groupName, String id, int requests) {
    int hits = 0;
    for (int i = 0; i < requests; i++) {
      LoadBalancedResponse r = client.get(groupName, "/").send().await();
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.bodyAsString()).isEqualTo(r.target().id());
      hits += id.equals(r.bodyAsString()) ? 1 : 0;
    }
    return hits;
  }

  @Test
  void roundRobinSplitsOneToThreeExactly() {
    IdBackends.Backend light = backends.start("i-light");
    IdBackends.Backend heavy = backends.start("i-heavy");
    TargetGroup group = TargetGroup.create(vertx, TargetGroupConfig.builder("rr").build());
    group.register(List.of(light.target(1), heavy.target(3)));
    client.addTargetGroup(group);
    // smooth weighted round robin: exactly 1 of every 4 requests, tolerance 0
    assertThat(countOn("rr", "i-light", 200)).isEqualTo(50);
    assertThat(light.served.get()).isEqualTo(50);
    assertThat(heavy.served.get()).isEqualTo(150);
  }

  @Test
  void weightedRandomSplitsOneToThreeWithinTenPoints() {
    IdBackends.Backend light = backends.start("i-light");
    IdBackends.Backend heavy = backends.start("i-heavy");
    TargetGroup group = TargetGroup.create(vertx,
        TargetGroupConfig.builder("wr").algorithm(BalancingAlgorithm.weightedRandom()).build());
    group.register(List.of(light.target(1), heavy.target(3)));
    client.addTargetGroup(group);
    int requests = 400;
    List<Future<LoadBalancedResponse>> all = new ArrayList<>();
    for (int i = 0; i < requests; i++) {
      all.add(client.get("wr", "/").send());
    }
    Future.all(all).await();
    int heavyHits = 0;
    for (Future<LoadBalancedResponse> f : all) {
      heavyHits += "i-heavy".equals(f.result().bodyAsString()) ? 1 : 0;
    }
    // binomial(400, 0.75): standard deviation 2.2 points; 10 points is 4.6 of them
    assertThat(heavyHits / (double) requests).isBetween(0.65, 0.85);
    assertThat(light.served.get() + heavy.served.get()).isEqualTo(requests);
  }
}
