package dev.loadstar.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loadstar.core.Backends.Backend;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DrainingTest {

  private Vertx vertx;
  private Backends backends;
  private LoadBalancedClient client;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    backends = new Backends(vertx);
  }

  @AfterEach
  void tearDown() {
    if (client != null) {
      client.close().await();
    }
    vertx.close().await();
  }

  private TargetGroup group(Duration delay, Stickiness stickiness, Backend... members) {
    TargetGroup g = TargetGroup.create(vertx, TargetGroupConfig.builder("svc").deregistrationDelay(delay)
        .stickiness(stickiness).build());
    for (Backend b : members) {
      g.register(b.target());
    }
    client = LoadBalancedClient.create(vertx).addTargetGroup(g);
    return g;
  }

  @Test
  void inFlightRequestsToADeregisteredTargetCompleteAndNoNewRequestReachesIt() {
    Backend a = backends.start("i-a");
    Backend b = backends.start("i-b");
    a.hold = true;
    TargetGroup group = group(Duration.ofSeconds(300), Stickiness.disabled(), a, b);
    List<Future<LoadBalancedResponse>> first = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      first.add(client.get("svc", "/").send());
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> a.held.size() == 2 && b.received.get() == 2);
    assertThat(group.target("i-a").inFlight()).isEqualTo(2);

    Future<Void> deregistered = group.deregister("i-a");
    assertThat(group.target("i-a").health()).isEqualTo(TargetHealth.DRAINING);
    for (int i = 0; i < 20; i++) {
      assertThat(client.get("svc", "/").send().await().target().id()).isEqualTo("i-b");
    }
    assertThat(a.received.get()).isEqualTo(2);
    assertThat(deregistered.isComplete()).isFalse();
    assertThat(group.target("i-a")).isNotNull();

    a.releaseAll();
    for (Future<LoadBalancedResponse> f : first) {
      LoadBalancedResponse r = f.await();
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.bodyAsString()).isEqualTo(r.target().id());
    }
    // the last in-flight request ended: the target leaves long before its 300 s delay
    await().atMost(Duration.ofSeconds(10)).until(deregistered::isComplete);
    assertThat(deregistered.succeeded()).isTrue();
    assertThat(group.target("i-a")).isNull();
    assertThat(a.received.get()).isEqualTo(2);
  }

  @Test
  void whenTheDelayElapsesEveryCutStillRegisteredRunsOnceAndRemovedOnesDoNot() throws InterruptedException {
    TargetGroup g = TargetGroup.create(vertx, TargetGroupConfig.builder("cuts")
        .deregistrationDelay(Duration.ofSeconds(1)).healthCheckEnabled(false).build());
    RegisteredTarget t = g.register(Target.of("t", "127.0.0.1", 1));
    assertThat(t.tryStartRequest()).isTrue(); // keeps the target draining until the delay elapses
    // registered and removed from several threads, in an order that moves entries around
    int perThread = 50;
    ConcurrentHashMap<Integer, AtomicInteger> runs =
        new ConcurrentHashMap<>();
    Set<Integer> kept = ConcurrentHashMap.newKeySet();
    Thread[] threads = new Thread[4];
    for (int th = 0; th < threads.length; th++) {
      int base = th * perThread;
      threads[th] = new Thread(() -> {
        List<Runnable> handles = new ArrayList<>();
        for (int i = 0; i < perThread; i++) {
          int id = base + i;
          runs.put(id, new AtomicInteger());
          handles.add(t.onDrainTimeout(() -> runs.get(id).incrementAndGet()));
        }
        for (int i = 0; i < perThread; i++) {
          if (i % 3 == 0) {
            kept.add(base + i);
          } else {
            handles.get(i).run();
          }
        }
      });
      threads[th].start();
    }
    for (Thread th : threads) {
      th.join();
    }
    g.deregister("t").timeout(30, TimeUnit.SECONDS).await();
    await().atMost(Duration.ofSeconds(10)).until(() -> kept.stream().allMatch(id -> runs.get(id).get() == 1));
    runs.forEach((id, n) -> assertThat(n.get()).as("cut %d", id).isEqualTo(kept.contains(id) ? 1 : 0));
    // a cut registered after the delay elapsed runs at once
    AtomicBoolean late = new AtomicBoolean();
    t.onDrainTimeout(() -> late.set(true));
    assertThat(late).isTrue();
    g.close();
  }

  @Test
  void deregistrationDelayCutsARequestStillInFlightAndTheTargetLeaves() {
    Backend a = backends.start("i-a");
    Backend b = backends.start("i-b");
    AtomicBoolean connectionClosed = new AtomicBoolean();
    // i-a never answers; it records when the balancer closes the connection
    a.handler = req -> req.connection().closeHandler(v -> connectionClosed.set(true));
    TargetGroup group = group(Duration.ofSeconds(1), Stickiness.disabled(), a, b);
    Future<LoadBalancedResponse> stuck = client.get("svc", "/").send();
    await().atMost(Duration.ofSeconds(10)).until(() -> a.received.get() == 1);
    RegisteredTarget ta = group.target("i-a");

    Future<Void> deregistered = group.deregister("i-a");
    assertThat(deregistered.isComplete()).isFalse();
    deregistered.timeout(30, TimeUnit.SECONDS).await();
    assertThat(group.target("i-a")).isNull();
    assertThat(ta.health().state()).isEqualTo(TargetHealth.State.UNUSED);
    assertThat(ta.tryStartRequest()).isFalse();

    // ALB closes what is still in flight when the delay elapses: the request fails, it is not retried on i-b
    Throwable failure = stuck.timeout(30, TimeUnit.SECONDS).map(r -> (Throwable) null).otherwise(t -> t).await();
    assertThat(failure).isInstanceOf(LoadBalancerException.class);
    LoadBalancerException e = (LoadBalancerException) failure;
    assertThat(e.kind()).isEqualTo(LoadBalancerException.Kind.ALL_ATTEMPTS_FAILED);
    assertThat(e.attempts()).isEqualTo(1);
    assertThat(e.getMessage()).isEqualTo("target group svc: attempt 1 on i-a failed and is not retried (the target "
        + "left the group when its deregistration delay elapsed with the request in flight): "
        + "dev.loadstar.core.DeregistrationDelayElapsedException: target i-a left target group svc: "
        + "deregistration_delay.timeout_seconds elapsed with the request in flight");
    assertThat(e.getCause()).isInstanceOf(DeregistrationDelayElapsedException.class);
    assertThat(((DeregistrationDelayElapsedException) e.getCause()).targetId()).isEqualTo("i-a");
    assertThat(b.received.get()).isZero();
    assertThat(ta.inFlight()).isZero();
    // the connection to the target was reset, not left open until the idle timeout
    await().atMost(Duration.ofSeconds(10)).untilTrue(connectionClosed);
  }

  @Test
  void idleTargetLeavesAtOnce() {
    Backend a = backends.start("i-a");
    Backend b = backends.start("i-b");
    TargetGroup group = group(Duration.ofSeconds(3600), Stickiness.disabled(), a, b);
    client.get("svc", "/").send().await();
    group.deregister("i-a").await();
    assertThat(group.target("i-a")).isNull();
  }

  @Test
  void stickyRequestToADrainingTargetGoesToAnotherTarget() {
    Backend a = backends.start("i-a");
    Backend b = backends.start("i-b");
    TargetGroup group = group(Duration.ofSeconds(300), Stickiness.lbCookie(), a, b);
    LoadBalancedResponse first = client.get("svc", "/").send().await();
    Backend owner = backends.get(first.target().id());
    Backend other = owner == a ? b : a;
    owner.hold = true;
    Future<LoadBalancedResponse> held = client.get("svc", "/").stickyCookie(first.stickyCookie()).send();
    await().atMost(Duration.ofSeconds(10)).until(() -> owner.held.size() == 1);

    Future<Void> deregistered = group.deregister(owner.name);
    for (int i = 0; i < 10; i++) {
      LoadBalancedResponse r = client.get("svc", "/").stickyCookie(first.stickyCookie()).send().await();
      assertThat(r.target().id()).isEqualTo(other.name);
      assertThat(group.stickySessions().resolve(r.stickyCookie()).target().id()).isEqualTo(other.name);
    }
    owner.releaseAll();
    assertThat(held.await().target().id()).isEqualTo(owner.name);
    deregistered.await();
  }

  @Test
  void reRegisteringADrainingTargetKeepsItsDeregistrationFuturePendingUntilItLeaves() {
    Backend a = backends.start("i-a");
    Backend b = backends.start("i-b");
    a.hold = true;
    TargetGroup group = group(Duration.ofSeconds(300), Stickiness.disabled(), a, b);
    Future<LoadBalancedResponse> held = client.get("svc", "/").send();
    await().atMost(Duration.ofSeconds(10)).until(() -> a.held.size() == 1);
    Future<Void> first = group.deregister("i-a");
    group.register(a.target());
    assertThat(group.target("i-a").isActive()).isTrue();
    a.releaseAll();
    held.await();
    assertThat(first.isComplete()).isFalse();
    Future<Void> second = group.deregister("i-a");
    second.await();
    assertThat(first.succeeded()).isTrue();
  }
}
