package dev.loadstar.scaling;

import dev.loadstar.core.LoadBalancedClient;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A bounded load generator on loopback: {@code concurrency} loops each send one GET at a time through the
 * load-balanced client until stopped, until {@code maxRequests} were sent, or until the deadline.
 */
final class LoadGenerator {

  private final Vertx vertx;
  private final LoadBalancedClient client;
  private final String groupName;
  private final long maxRequests;
  private final long deadlineNanos;
  private volatile long pacingMillis;
  private volatile boolean stopped;
  final AtomicLong sent = new AtomicLong();
  final AtomicLong succeeded = new AtomicLong();
  final AtomicLong failed = new AtomicLong();
  final AtomicInteger inFlight = new AtomicInteger();
  final List<String> failures = new CopyOnWriteArrayList<>();
  final ConcurrentHashMap<String, AtomicLong> byTarget = new ConcurrentHashMap<>();

  LoadGenerator(Vertx vertx, LoadBalancedClient client, String groupName, long maxRequests, long maxMillis) {
    this.vertx = vertx;
    this.client = client;
    this.groupName = groupName;
    this.maxRequests = maxRequests;
    this.deadlineNanos = System.nanoTime() + maxMillis * 1_000_000;
  }

  LoadGenerator start(int concurrency) {
    for (int i = 0; i < concurrency; i++) {
      vertx.runOnContext(v -> next());
    }
    return this;
  }

  /** Waits this long after each response before a loop sends its next request (0 = at once, the default). */
  LoadGenerator pacing(long millis) {
    this.pacingMillis = millis;
    return this;
  }

  /** Stops sending new requests; those in flight complete. */
  void stop() {
    stopped = true;
  }

  boolean idle() {
    return inFlight.get() == 0;
  }

  private void next() {
    if (stopped || sent.get() >= maxRequests || System.nanoTime() - deadlineNanos > 0) {
      return;
    }
    sent.incrementAndGet();
    inFlight.incrementAndGet();
    client.get(groupName, "/").send().onComplete(ar -> {
      if (ar.succeeded() && ar.result().statusCode() == 200
          && ar.result().bodyAsString().equals("<h1>" + ar.result().target().id() + "</h1>")) {
        succeeded.incrementAndGet();
        byTarget.computeIfAbsent(ar.result().target().id(), k -> new AtomicLong()).incrementAndGet();
      } else {
        failed.incrementAndGet();
        failures.add(ar.succeeded() ? ar.result().statusCode() + " " + ar.result().bodyAsString()
            : String.valueOf(ar.cause()));
      }
      inFlight.decrementAndGet();
      if (pacingMillis > 0) {
        vertx.setTimer(pacingMillis, t -> next());
      } else {
        next();
      }
    });
  }
}
