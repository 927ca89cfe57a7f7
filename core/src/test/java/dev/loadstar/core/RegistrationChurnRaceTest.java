package dev.loadstar.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loadstar.core.Backends.Backend;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Registration churn under load: targets are registered and deregistered in a loop while two threads send
 * thousands of requests. Each churned backend knows whether its target is registered; a request that arrives
 * while it is not is one the client started on a target that had already left the group.
 */
class RegistrationChurnRaceTest {

  private static final int SENDERS = 2;
  private static final int REQUESTS_PER_SENDER = 2000;
  private static final int WINDOW = 16;
  private static final int CHURNED = 4;

  private Vertx vertx;
  private LoadBalancedClient client;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void tearDown() {
    if (client != null) {
      client.close().await();
    }
    vertx.close().await();
  }

  @Test
  void noRequestIsLostOrSentToATargetThatLeftWhileTargetsChurn() throws Exception {
    Queue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
    vertx.exceptionHandler(unexpected::add);
    Backends backends = new Backends(vertx);
    TargetGroup group = TargetGroup.create(vertx, TargetGroupConfig.builder("churn")
        .deregistrationDelay(Duration.ofSeconds(3600)).build());
    group.register(backends.start("stable-1").target());
    group.register(backends.start("stable-2").target());

    // churned backends: live while their target is registered; anything arriving otherwise is a violation
    List<Backend> churned = new ArrayList<>();
    Map<String, AtomicBoolean> live = new ConcurrentHashMap<>();
    AtomicInteger violations = new AtomicInteger();
    AtomicInteger churnedServed = new AtomicInteger();
    for (int i = 0; i < CHURNED; i++) {
      Backend b = backends.start("churn-" + i);
      AtomicBoolean isLive = new AtomicBoolean();
      live.put(b.name, isLive);
      b.handler = req -> {
        if (!isLive.get()) {
          violations.incrementAndGet();
        }
        churnedServed.incrementAndGet();
        req.response().end(b.name);
      };
      churned.add(b);
    }
    client = LoadBalancedClient.create(vertx).addTargetGroup(group);

    AtomicBoolean sendersDone = new AtomicBoolean();
    AtomicInteger completed = new AtomicInteger();
    AtomicInteger cycles = new AtomicInteger();
    Thread churner = new Thread(() -> {
      int generation = 0;
      try {
        while (!sendersDone.get()) {
          Backend b = churned.get(generation % CHURNED);
          String id = b.name + "-g" + generation++;
          live.get(b.name).set(true);
          group.register(b.target(id));
          // pace the churn by traffic: let some requests complete while the target is registered
          int mark = completed.get();
          while (completed.get() < mark + 10 && !sendersDone.get()) {
            LockSupport.parkNanos(200_000);
          }
          if (generation % 3 == 0) {
            // sometimes the target flaps: deregistered, re-registered while draining, deregistered again
            group.deregister(id);
            group.register(b.target(id));
          }
          group.deregister(id).toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
          live.get(b.name).set(false);
          cycles.incrementAndGet();
        }
      } catch (Exception e) {
        unexpected.add(e);
      }
    }, "churner");

    ConcurrentHashMap<String, AtomicInteger> servedBy = new ConcurrentHashMap<>();
    AtomicInteger mismatched = new AtomicInteger();
    CountDownLatch start = new CountDownLatch(1);
    CountDownLatch allDone = new CountDownLatch(SENDERS * REQUESTS_PER_SENDER);
    List<Thread> senders = new ArrayList<>();
    for (int s = 0; s < SENDERS; s++) {
      Thread t = new Thread(() -> {
        Semaphore window = new Semaphore(WINDOW);
        try {
          start.await();
          for (int i = 0; i < REQUESTS_PER_SENDER; i++) {
            window.acquire();
            client.get("churn", "/").send().onComplete(ar -> {
              if (ar.succeeded()) {
                LoadBalancedResponse r = ar.result();
                String body = r.bodyAsString();
                // the target the client reports is the one that answered
                if (r.statusCode() != 200 || !r.target().id().startsWith(body)) {
                  mismatched.incrementAndGet();
                }
                servedBy.computeIfAbsent(body, k -> new AtomicInteger()).incrementAndGet();
                completed.incrementAndGet();
              } else {
                unexpected.add(ar.cause());
              }
              window.release();
              allDone.countDown();
            });
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, "sender-" + s);
      senders.add(t);
      t.start();
    }
    churner.start();
    start.countDown();
    boolean finished = allDone.await(120, TimeUnit.SECONDS);
    sendersDone.set(true);
    churner.join(30_000);
    for (Thread t : senders) {
      t.join(10_000);
    }

    assertThat(finished).as("every request completed").isTrue();
    assertThat(unexpected).isEmpty();
    assertThat(completed.get()).isEqualTo(SENDERS * REQUESTS_PER_SENDER);
    assertThat(mismatched.get()).isZero();
    assertThat(violations.get()).as("requests that reached a target after it left").isZero();
    assertThat(cycles.get()).as("churn cycles").isGreaterThan(10);
    assertThat(churnedServed.get()).as("requests served by churned targets").isGreaterThan(0);
    int total = servedBy.values().stream().mapToInt(AtomicInteger::get).sum();
    assertThat(total).isEqualTo(SENDERS * REQUESTS_PER_SENDER);
    for (RegisteredTarget t : group.targets()) {
      assertThat(t.inFlight()).as("%s", t).isZero();
    }
  }
}
