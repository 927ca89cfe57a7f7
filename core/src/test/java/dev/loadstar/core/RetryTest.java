package dev.loadstar.core;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Fault;
import dev.loadstar.core.Backends.Backend;
import dev.loadstar.core.LoadBalancerException.Kind;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RetryTest {

  private Vertx vertx;
  private Backends backends;
  private WireMockServer wireMock;
  private LoadBalancedClient client;
  private final RefusingPorts deadPorts = new RefusingPorts();

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
    if (wireMock != null) {
      wireMock.stop();
    }
    vertx.close().await();
    deadPorts.close();
  }

  private TargetGroup group(Target... targets) {
    TargetGroup g = TargetGroup.create(vertx, TargetGroupConfig.builder("svc").build());
    for (Target t : targets) {
      g.register(t);
    }
    return g;
  }

  /** A WireMock backend that resets every connection (TCP RST) after reading the request. */
  private Target resettingTarget(String id) {
    wireMock = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
    wireMock.start();
    wireMock.stubFor(any(anyUrl()).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
    return Target.of(id, "127.0.0.1", wireMock.port());
  }

  /** A port on which nothing listens: connections to it are refused. */
  private int deadPort() {
    return deadPorts.next();
  }

  @Test
  void idempotentRequestsAllSucceedWhenOneBackendIsClosedUnderLoad() {
    Backend a = backends.start("i-a");
    Backend b = backends.start("i-b");
    TargetGroup group = group(a.target(), b.target());
    client = LoadBalancedClient.create(vertx).addTargetGroup(group);

    int total = 300;
    int concurrency = 20;
    AtomicInteger started = new AtomicInteger();
    List<Future<LoadBalancedResponse>> all = new ArrayList<>();
    List<Future<LoadBalancedResponse>> closedAfter = new ArrayList<>();
    // a closed loop of `concurrency` senders; backend a is closed after 100 requests have been sent
    Future<Void> killed = Future.succeededFuture();
    for (int wave = 0; started.get() < total; wave++) {
      List<Future<LoadBalancedResponse>> inWave = new ArrayList<>();
      for (int i = 0; i < concurrency && started.get() < total; i++) {
        started.incrementAndGet();
        inWave.add(client.get("svc", "/x").send());
      }
      if (started.get() == 100) {
        killed = a.server.close();
        closedAfter = inWave;
      }
      all.addAll(inWave);
      Future.join(new ArrayList<>(inWave)).await();
      // the later waves meet a closed backend, as the count of retries below assumes: on a loaded machine the close
      // can take longer than a wave, and until it is done a can still answer
      killed.await();
    }
    for (Future<LoadBalancedResponse> f : all) {
      assertThat(f.succeeded()).as("%s", f.cause()).isTrue();
      assertThat(f.result().statusCode()).isEqualTo(200);
    }
    long retried = all.stream().filter(f -> f.result().attempts() == 2).count();
    long servedByA = all.stream().filter(f -> f.result().target().id().equals("i-a")).count();
    assertThat(servedByA).isLessThanOrEqualTo(100);
    assertThat(retried).isGreaterThanOrEqualTo((total - 100) / 2 - concurrency);
    assertThat(all.stream().filter(f -> f.result().attempts() == 2)
        .allMatch(f -> f.result().target().id().equals("i-b"))).isTrue();
    assertThat(closedAfter).isNotEmpty();
    RegisteredTarget ta = group.target("i-a");
    assertThat(ta.failureCount()).isEqualTo(retried);
    assertThat(ta.inFlight()).isZero();
    assertThat(group.target("i-b").inFlight()).isZero();
  }

  @Test
  void idempotentRequestsAreRetriedOnAnotherTargetAfterAConnectionReset() {
    Backend b = backends.start("i-b");
    TargetGroup group = group(resettingTarget("i-reset"), b.target());
    client = LoadBalancedClient.create(vertx).addTargetGroup(group);
    for (int i = 0; i < 20; i++) {
      LoadBalancedResponse r = client.request(HttpMethod.PUT, "svc", "/x").send(Buffer.buffer("v")).await();
      assertThat(r.target().id()).isEqualTo("i-b");
      assertThat(r.attempts()).isEqualTo(i % 2 == 0 ? 2 : 1);
    }
    assertThat(b.received.get()).isEqualTo(20);
    assertThat(group.target("i-reset").failureCount()).isEqualTo(10);
  }

  @Test
  void postIsNotRetriedAfterAConnectionReset() {
    Backend b = backends.start("i-b");
    TargetGroup group = group(resettingTarget("i-reset"), b.target());
    client = LoadBalancedClient.create(vertx).addTargetGroup(group);
    int failed = 0;
    for (int i = 0; i < 20; i++) {
      Future<LoadBalancedResponse> f = client.post("svc", "/orders").send(Buffer.buffer("{}"));
      f.transform(ar -> Future.succeededFuture()).await();
      if (f.failed()) {
        failed++;
        LoadBalancerException e = (LoadBalancerException) f.cause();
        assertThat(e.kind()).isEqualTo(Kind.ALL_ATTEMPTS_FAILED);
        assertThat(e.group()).isEqualTo("svc");
        assertThat(e.attempts()).isEqualTo(1);
        assertThat(e.getMessage()).startsWith("target group svc: attempt 1 on i-reset failed and is not retried "
            + "(POST is not idempotent and the request may have reached the target)");
      } else {
        assertThat(f.result().target().id()).isEqualTo("i-b");
        assertThat(f.result().attempts()).isEqualTo(1);
      }
    }
    assertThat(failed).isEqualTo(10);
    assertThat(b.received.get()).isEqualTo(10);
    assertThat(wireMock.getAllServeEvents()).hasSize(10);
  }

  /** A worker context may run a request's steps on different threads: its attempts are tracked all the same. */
  @Test
  void postSentFromAWorkerContextIsNotRetriedAfterAConnectionReset() {
    Backend b = backends.start("i-b");
    TargetGroup group = group(resettingTarget("i-reset"), b.target());
    client = LoadBalancedClient.create(vertx).addTargetGroup(group);
    io.vertx.core.Context worker = ((io.vertx.core.internal.VertxInternal) vertx).createWorkerContext();
    int failed = 0;
    for (int i = 0; i < 20; i++) {
      io.vertx.core.Promise<LoadBalancedResponse> p = io.vertx.core.Promise.promise();
      worker.runOnContext(v -> client.post("svc", "/orders").send(Buffer.buffer("{}")).onComplete(p));
      Future<LoadBalancedResponse> f = p.future();
      f.transform(ar -> Future.succeededFuture()).await();
      if (f.failed()) {
        failed++;
        assertThat(((LoadBalancerException) f.cause()).attempts()).isEqualTo(1);
        assertThat(f.cause().getMessage()).contains("POST is not idempotent and the request may have reached");
      }
    }
    assertThat(failed).isEqualTo(10);
    assertThat(b.received.get()).isEqualTo(10);
  }

  @Test
  void postMarkedIdempotentIsRetriedAfterAConnectionReset() {
    Backend b = backends.start("i-b");
    client = LoadBalancedClient.create(vertx).addTargetGroup(group(resettingTarget("i-reset"), b.target()));
    for (int i = 0; i < 10; i++) {
      LoadBalancedResponse r = client.post("svc", "/orders").idempotent(true).send(Buffer.buffer("{}")).await();
      assertThat(r.target().id()).isEqualTo("i-b");
    }
    assertThat(b.received.get()).isEqualTo(10);
  }

  @Test
  void postIsRetriedWhenTheConnectionWasRefused() {
    Backend b = backends.start("i-b");
    client = LoadBalancedClient.create(vertx)
        .addTargetGroup(group(Target.of("i-dead", "127.0.0.1", deadPort()), b.target()));
    for (int i = 0; i < 10; i++) {
      LoadBalancedResponse r = client.post("svc", "/orders").send(Buffer.buffer("{}")).await();
      assertThat(r.target().id()).isEqualTo("i-b");
      assertThat(r.attempts()).isEqualTo(i % 2 == 0 ? 2 : 1);
    }
    assertThat(b.received.get()).isEqualTo(10);
  }

  @Test
  void resettingFleetExhaustsTheRetryBudget() {
    client = LoadBalancedClient.create(vertx, new LoadBalancedClientOptions().setMaxAttempts(2)
        .setRetryBudgetRatio(0.2).setRetryBudgetMinPerSecond(0))
        .addTargetGroup(group(resettingTarget("r1"), resettingTarget("r2")));
    int exhausted = 0;
    int allFailed = 0;
    for (int i = 1; i <= 50; i++) {
      LoadBalancerException e = failure(client.get("svc", "/"));
      assertThat(e.group()).isEqualTo("svc");
      if (i % 5 == 0) {
        // the 5th, 10th, ... request earns a retry (20% of requests): both targets are tried
        assertThat(e.kind()).as("request %d", i).isEqualTo(Kind.ALL_ATTEMPTS_FAILED);
        assertThat(e.attempts()).isEqualTo(2);
        assertThat(e.getMessage()).startsWith("target group svc: all 2 attempt(s) failed; last on ");
        allFailed++;
      } else {
        assertThat(e.kind()).as("request %d", i).isEqualTo(Kind.RETRY_BUDGET_EXHAUSTED);
        assertThat(e.attempts()).isEqualTo(1);
        assertThat(e.getMessage()).startsWith("target group svc: retry budget exhausted; not retrying after 1 "
            + "failed attempt(s): ");
        assertThat(FailureKind.classify(e.getCause(), true)).isEqualTo(FailureKind.CONNECTION_LOST);
        exhausted++;
      }
    }
    assertThat(exhausted).isEqualTo(40);
    assertThat(allFailed).isEqualTo(10);
  }

  @Test
  void defaultBudgetCapsRetriesOfAResettingFleetAtTheFloorPlusTwentyPercent() {
    client = LoadBalancedClient.create(vertx)
        .addTargetGroup(group(resettingTarget("r1"), resettingTarget("r2")));
    int retried = 0;
    int exhausted = 0;
    for (int i = 0; i < 300; i++) {
      LoadBalancerException e = failure(client.get("svc", "/"));
      if (e.kind() == Kind.RETRY_BUDGET_EXHAUSTED) {
        exhausted++;
      } else {
        assertThat(e.kind()).isEqualTo(Kind.ALL_ATTEMPTS_FAILED);
        retried++;
      }
    }
    // 10 per second over the 10-second window, plus 20% of 300 requests
    assertThat(retried).isLessThanOrEqualTo(100 + 60).isGreaterThanOrEqualTo(100);
    assertThat(exhausted).isEqualTo(300 - retried);
  }

  @Test
  void refusedConnectionsAreRetriedOnEveryTargetWithoutTheBudget() {
    // nothing reached any application: the attempt limit bounds the retries, not the budget
    client = LoadBalancedClient.create(vertx, new LoadBalancedClientOptions()
        .setRetryBudgetRatio(0).setRetryBudgetMinPerSecond(0))
        .addTargetGroup(group(Target.of("d1", "127.0.0.1", deadPort()), Target.of("d2", "127.0.0.1", deadPort())));
    for (int i = 0; i < 20; i++) {
      LoadBalancerException e = failure(client.get("svc", "/"));
      assertThat(e.kind()).isEqualTo(Kind.ALL_ATTEMPTS_FAILED);
      assertThat(e.attempts()).isEqualTo(2);
      assertThat(e.getMessage()).startsWith("target group svc: 2 attempt(s) failed and no other target is available; "
          + "last: ");
    }
    assertThat(client.engine().budgetedRetriesInWindow()).isZero();
  }

  @Test
  void timedOutRequestIsNotRetried() {
    Backend slow = backends.start("i-slow");
    slow.hold = true;
    Backend b = backends.start("i-b");
    client = LoadBalancedClient.create(vertx).addTargetGroup(group(slow.target(), b.target()));
    LoadBalancerException e = failure(client.get("svc", "/").timeout(200));
    assertThat(e.kind()).isEqualTo(Kind.ALL_ATTEMPTS_FAILED);
    assertThat(e.attempts()).isEqualTo(1);
    assertThat(e.getMessage()).contains("attempt 1 on i-slow failed and is not retried "
        + "(the target timed out and may have processed it)");
    assertThat(b.received.get()).isZero();
    slow.releaseAll();
  }

  @Test
  void singleTargetFailureReportsThatNoOtherTargetIsAvailable() {
    client = LoadBalancedClient.create(vertx).addTargetGroup(group(Target.of("d1", "127.0.0.1", deadPort())));
    LoadBalancerException e = failure(client.get("svc", "/"));
    assertThat(e.kind()).isEqualTo(Kind.ALL_ATTEMPTS_FAILED);
    assertThat(e.attempts()).isEqualTo(1);
    assertThat(e.getMessage()).startsWith(
        "target group svc: 1 attempt(s) failed and no other target is available; last: ");
  }

  @Test
  void retryWaitsForTheBackoffOnAVertxTimer() {
    Backend b = backends.start("i-b");
    client = LoadBalancedClient.create(vertx, new LoadBalancedClientOptions().setRetryBackoffMs(50))
        .addTargetGroup(group(Target.of("d1", "127.0.0.1", deadPort()), b.target()));
    LoadBalancedResponse r = client.get("svc", "/").send().await();
    assertThat(r.attempts()).isEqualTo(2);
    assertThat(r.target().id()).isEqualTo("i-b");
  }

  @Test
  void responseCompletesOnTheCallersContext() {
    Backend b = backends.start("i-b");
    client = LoadBalancedClient.create(vertx, new LoadBalancedClientOptions().setRetryBackoffMs(20))
        .addTargetGroup(group(Target.of("d1", "127.0.0.1", deadPort()), b.target()));
    io.vertx.core.Context ctx = vertx.getOrCreateContext();
    io.vertx.core.Promise<Boolean> onContext = io.vertx.core.Promise.promise();
    ctx.runOnContext(v -> client.get("svc", "/").send()
        .onComplete(ar -> onContext.complete(ar.succeeded() && Vertx.currentContext() == ctx)));
    assertThat(onContext.future().await()).isTrue();
  }

  @Test
  void closeFailsPendingRetriesAndIsIdempotent() {
    Backend b = backends.start("i-b");
    LoadBalancedClient c = LoadBalancedClient.create(vertx, new LoadBalancedClientOptions().setRetryBackoffMs(60_000))
        .addTargetGroup(group(Target.of("d1", "127.0.0.1", deadPort()), b.target()));
    Future<LoadBalancedResponse> pending = c.get("svc", "/").send();
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
        .until(() -> c.targetGroup("svc").target("d1").failureCount() == 1);
    Future<Void> first = c.close();
    Future<Void> second = c.close();
    first.await();
    second.await();
    assertThat(second).isSameAs(first);
    LoadBalancerException e = failure(pending);
    assertThat(e.kind()).isEqualTo(Kind.CLOSED);
    assertThat(e.getMessage()).isEqualTo("target group svc: the client is closed");
    assertThat(failure(c.get("svc", "/")).kind()).isEqualTo(Kind.CLOSED);
    assertThat(b.received.get()).isZero();
  }

  @Test
  void typedFailuresNameTheGroupAndTheReason() {
    TargetGroup empty = group();
    client = LoadBalancedClient.create(vertx).addTargetGroup(empty);
    LoadBalancerException none = failure(client.get("svc", "/"));
    assertThat(none.kind()).isEqualTo(Kind.NO_TARGETS);
    assertThat(none.attempts()).isZero();
    assertThat(none.getMessage()).isEqualTo(
        "target group svc: no target available (0 registered, none can take requests)");
    LoadBalancerException unknown = failure(client.get("nope", "/"));
    assertThat(unknown.kind()).isEqualTo(Kind.UNKNOWN_GROUP);
    assertThat(unknown.group()).isEqualTo("nope");
    assertThat(unknown.getMessage()).isEqualTo(
        "target group nope: no target group with this name is added to the client");
  }

  static LoadBalancerException failure(LoadBalancedRequest request) {
    return failure(request.send());
  }

  static LoadBalancerException failure(Future<LoadBalancedResponse> f) {
    Throwable t = catchThrowableOfType(Throwable.class, f::await);
    assertThat(t).isInstanceOf(LoadBalancerException.class);
    return (LoadBalancerException) t;
  }
}
