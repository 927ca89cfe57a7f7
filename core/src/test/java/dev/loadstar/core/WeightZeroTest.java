package dev.loadstar.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loadstar.core.Backends.Backend;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Weight 0 means no new requests (ALB weighted target groups, Envoy): under every algorithm that honours weights, and
 * for the client's retries; when every target has weight 0 the group fails open to equal weights.
 */
class WeightZeroTest {

  private static final int N = 3_000;
  private static final List<BalancingAlgorithm> ALGORITHMS = List.of(BalancingAlgorithm.roundRobin(),
      BalancingAlgorithm.leastOutstandingRequests(), BalancingAlgorithm.weightedRandom(),
      BalancingAlgorithm.powerOfTwoChoices(), BalancingAlgorithm.peakEwma(), BalancingAlgorithm.ringHash(),
      BalancingAlgorithm.maglev());

  private Vertx vertx;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void tearDown() {
    vertx.close().await();
  }

  private TargetGroup group(BalancingAlgorithm algorithm, int... weights) {
    TargetGroup g = TargetGroup.create(vertx, TargetGroupConfig.builder("svc").algorithm(algorithm).build());
    for (int i = 0; i < weights.length; i++) {
      g.register(Target.builder("t" + i, "127.0.0.1", 8080 + i).weight(weights[i]).build());
    }
    return g;
  }

  /** N selections with distinct hash keys (the hash algorithms need them; the others ignore them). */
  private static Map<String, Integer> counts(TargetGroup g) {
    Map<String, Integer> counts = new HashMap<>();
    SplittableRandom random = new SplittableRandom(42);
    for (int i = 0; i < N; i++) {
      RegisteredTarget t = g.select(SelectionContext.ofHash(random.nextLong()));
      counts.merge(t.target().id(), 1, Integer::sum);
    }
    return counts;
  }

  @Test
  void aWeightZeroTargetGetsNoSelectionUnderEveryAlgorithm() {
    for (BalancingAlgorithm a : ALGORITHMS) {
      Map<String, Integer> counts = counts(group(a, 1, 0, 2, 0));
      assertThat(counts.getOrDefault("t1", 0)).as(a.name()).isZero();
      assertThat(counts.getOrDefault("t3", 0)).as(a.name()).isZero();
      // (least outstanding requests picks t2 every time here: nothing is in flight and t2 weighs more)
      assertThat(counts.getOrDefault("t0", 0) + counts.getOrDefault("t2", 0)).as(a.name()).isEqualTo(N);
    }
  }

  @Test
  void aTargetWhoseWeightDropsToZeroStopsGettingSelections() {
    for (BalancingAlgorithm a : ALGORITHMS) {
      TargetGroup g = group(a, 1, 1, 1);
      assertThat(counts(g).get("t1")).as(a.name()).isPositive();
      g.register(Target.builder("t1", "127.0.0.1", 8081).weight(0).build());
      assertThat(counts(g).getOrDefault("t1", 0)).as(a.name()).isZero();
    }
  }

  @Test
  void allWeightsZeroFailOpenToEqualWeights() {
    for (BalancingAlgorithm a : ALGORITHMS) {
      Map<String, Integer> counts = counts(group(a, 0, 0, 0));
      assertThat(counts.values().stream().mapToInt(Integer::intValue).sum()).as(a.name()).isEqualTo(N);
      for (String id : List.of("t0", "t1", "t2")) {
        // equal weights: a third each (exactly for round robin and least outstanding requests, which rotate)
        assertThat(counts.getOrDefault(id, 0)).as(a.name() + " " + id).isBetween(N / 3 - 200, N / 3 + 200);
      }
    }
    assertThat(counts(group(BalancingAlgorithm.roundRobin(), 0, 0, 0))).containsEntry("t0", N / 3)
        .containsEntry("t1", N / 3).containsEntry("t2", N / 3);
  }

  @Test
  void clientRetriesSkipWeightZeroTargets() {
    Backends backends = new Backends(vertx);
    Backend alive = backends.start("alive");
    Backend weightless = backends.start("weightless");
    RefusingPorts refusing = new RefusingPorts();
    int deadPort = refusing.next();
    TargetGroup g = TargetGroup.create(vertx, TargetGroupConfig.builder("svc").build());
    g.register(Target.of("dead", "127.0.0.1", deadPort));
    g.register(Target.builder("weightless", "127.0.0.1", weightless.port).weight(0).build());
    g.register(alive.target());
    LoadBalancedClient client = LoadBalancedClient.create(vertx).addTargetGroup(g);
    try {
      List<Future<LoadBalancedResponse>> all = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        all.add(client.get("svc", "/x").send());
      }
      Future.join(new ArrayList<>(all)).timeout(30, TimeUnit.SECONDS).await();
      for (Future<LoadBalancedResponse> f : all) {
        assertThat(f.result().target().id()).isEqualTo("alive");
      }
      // half the first attempts hit the dead target; every retry went to the weighted target, none to weight 0
      assertThat(all.stream().filter(f -> f.result().attempts() == 2).count()).isEqualTo(20);
      assertThat(weightless.received.get()).isZero();
      assertThat(alive.received.get()).isEqualTo(40);
    } finally {
      client.close().await();
      refusing.close();
    }
  }
}
