package dev.loadstar.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Load-aware algorithms through real backends and the client: a backend with a fixed delay gets little traffic.
 */
class LoadAwareClientTest {

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

  /** Sends {@code total} requests keeping {@code concurrency} in flight; completes when all have answered. */
  private Future<Void> load(String groupName, int total, int concurrency) {
    Promise<Void> done = Promise.promise();
    AtomicInteger started = new AtomicInteger();
    AtomicInteger finished = new AtomicInteger();
    Runnable[] next = new Runnable[1];
    next[0] = () -> {
      if (started.incrementAndGet() > total) {
        return;
      }
      client.get(groupName, "/").send().onComplete(ar -> {
        if (ar.failed()) {
          done.tryFail(ar.cause());
          return;
        }
        if (finished.incrementAndGet() == total) {
          done.tryComplete();
        } else {
          next[0].run();
        }
      });
    };
    vertx.runOnContext(v -> {
      for (int i = 0; i < concurrency; i++) {
        next[0].run();
      }
    });
    return done.future();
  }

  @Test
  void leastOutstandingRequestsSendsMostTrafficToTheFastBackend() {
    IdBackends.Backend fast = backends.start("i-fast");
    IdBackends.Backend slow = backends.start("i-slow");
    slow.delayMs = 200;
    TargetGroup group = TargetGroup.create(vertx,
        TargetGroupConfig.builder("lor").algorithm(BalancingAlgorithm.leastOutstandingRequests()).build());
    group.register(List.of(fast.target(), slow.target()));
    client.addTargetGroup(group);

    load("lor", 300, 8).await();

    // round robin would give each half; the slow backend holds its requests 200 ms, so it is rarely the least busy
    assertThat(fast.served.get() + slow.served.get()).isEqualTo(300);
    assertThat(fast.served.get()).isGreaterThanOrEqualTo(240);
    assertThat(group.target("i-fast").inFlight()).isZero();
    assertThat(group.target("i-slow").inFlight()).isZero();
  }

  @Test
  void peakEwmaSendsMostTrafficToTheFasterBackend() {
    IdBackends.Backend fast = backends.start("i-fast");
    IdBackends.Backend slow = backends.start("i-slow");
    slow.delayMs = 250;
    TargetGroup group = TargetGroup.create(vertx,
        TargetGroupConfig.builder("ewma").algorithm(BalancingAlgorithm.peakEwma()).build());
    group.register(List.of(fast.target(), slow.target()));
    client.addTargetGroup(group);
    // warm the request path (class loading, JIT) so that the fast backend's first sample is not a cold start
    LoadBalancedClient warm = LoadBalancedClient.create(vertx);
    TargetGroup warmGroup = TargetGroup.create(vertx, TargetGroupConfig.builder("warm").build());
    warmGroup.register(fast.target());
    warm.addTargetGroup(warmGroup);
    for (int i = 0; i < 20; i++) {
      warm.get("warm", "/").send().await();
    }
    warm.close().await();
    fast.served.set(0);

    // one at a time: in-flight counts stay equal, only latency tells the backends apart
    for (int i = 0; i < 60; i++) {
      assertThat(client.get("ewma", "/").send().await().statusCode()).isEqualTo(200);
    }

    assertThat(group.target("i-slow").latencyEwmaNanos()).isGreaterThanOrEqualTo(250_000_000L);
    assertThat(fast.served.get()).isGreaterThanOrEqualTo(50);
  }
}
