package dev.loadstar.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loadstar.core.IdBackends.Backend;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Function and balancer targets in core: construction, health, and requests through the client. */
class TargetKindsTest {

  private Vertx vertx;
  private IdBackends backends;
  private final List<LoadBalancedClient> clients = new ArrayList<>();

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    backends = new IdBackends(vertx);
  }

  @AfterEach
  void tearDown() {
    for (LoadBalancedClient c : clients) {
      c.close().await();
    }
    vertx.close().await();
  }

  private LoadBalancedClient client(TargetGroup... groups) {
    LoadBalancedClient c = LoadBalancedClient.create(vertx, new LoadBalancedClientOptions().setRequestTimeoutMs(2000));
    for (TargetGroup g : groups) {
      c.addTargetGroup(g);
    }
    clients.add(c);
    return c;
  }

  private TargetGroup group(String name) {
    return TargetGroup.create(vertx, TargetGroupConfig.builder(name).deregistrationDelay(Duration.ZERO).build());
  }

  /** Records every request outcome of a group. */
  private static List<String> outcomes(TargetGroup g) {
    List<String> out = new CopyOnWriteArrayList<>();
    g.addListener(new TargetGroupListener() {
      @Override
      public void onRequestEnd(RegisteredTarget target, RequestOutcome outcome, long latencyNanos) {
        out.add(target.target().id() + ":" + outcome);
      }
    });
    return out;
  }

  @Test
  void functionAndBalancerTargetsHaveSyntheticAddressesAndKinds() {
    TargetFunction fn = req -> Future.succeededFuture(FunctionResponse.ok("hi"));
    Target f = Target.function("orders-fn", fn);
    assertThat(f.kind()).isEqualTo(Target.Kind.FUNCTION);
    assertThat(f.kind().albName()).isEqualTo("lambda");
    assertThat(f.host()).isEqualTo(Target.FUNCTION_HOST);
    assertThat(f.port()).isZero();
    assertThat(f.address()).isEqualTo("function:orders-fn");
    assertThat(f.healthCheckEnabled()).isFalse();
    assertThat(f.function()).isSameAs(fn);
    assertThat(Target.functionBuilder("orders-fn", fn).healthCheckEnabled(true).build().healthCheckEnabled()).isTrue();

    TargetGroup nested = group("inner");
    Target b = Target.balancerBuilder("to-inner", nested).zone("zone-a").build();
    assertThat(b.kind()).isEqualTo(Target.Kind.BALANCER);
    assertThat(b.kind().albName()).isEqualTo("alb");
    assertThat(b.address()).isEqualTo("target group inner");
    assertThat(b.healthCheckEnabled()).isFalse();
    assertThat(b.toBuilder().build()).isEqualTo(b);

    Target i = Target.of("i-1", "10.0.0.1", 80);
    assertThat(i.kind()).isEqualTo(Target.Kind.INSTANCE);
    assertThat(i.healthCheckEnabled()).isTrue();
    assertThat(Target.builder("10.0.0.1", "10.0.0.1", 80).kind(Target.Kind.IP).build().kind())
        .isEqualTo(Target.Kind.IP);
    assertThat(Target.Kind.byName("lambda")).isEqualTo(Target.Kind.FUNCTION);
    assertThat(Target.Kind.byName("balancer")).isEqualTo(Target.Kind.BALANCER);
  }

  @Test
  void invalidKindSettingsFailWithTheStandardMessage() {
    TargetFunction fn = req -> Future.succeededFuture(FunctionResponse.of(204));
    assertThatThrownBy(() -> Target.function("f", null)).hasMessage("handler: null (expected: a value)");
    assertThatThrownBy(() -> Target.balancer("b", null)).hasMessage("delegate: null (expected: a value)");
    assertThatThrownBy(() -> Target.functionBuilder("f", fn).kind(Target.Kind.IP))
        .hasMessage("kind: ip (expected: function, as made by Target.functionBuilder)");
    assertThatThrownBy(() -> Target.builder("i", "h", 80).kind(Target.Kind.FUNCTION))
        .hasMessage("kind: function (expected: instance or ip for a host and port)");
    assertThatThrownBy(() -> Target.builder("i", "h", 80).healthCheckEnabled(false).build())
        .hasMessage("healthCheckEnabled: false (expected: true for instance targets (as ALB, health checks of"
            + " instance and ip targets cannot be turned off))");
    assertThatThrownBy(() -> Target.balancerBuilder("b", group("x")).healthCheckEnabled(true).build())
        .hasMessage("healthCheckEnabled: true (expected: false for balancer targets (watched passively; the nested"
            + " balancer checks its own targets))");
    assertThatThrownBy(() -> Target.Kind.byName("vm"))
        .hasMessage("kind: vm (expected: instance, ip, function or balancer)");
  }

  @Test
  void functionTargetsAreUnavailableInACheckedGroupUnlessTheirChecksAreEnabled() {
    TargetGroup g = TargetGroup.create(vertx, TargetGroupConfig.builder("checked").healthCheckEnabled(true).build());
    TargetFunction fn = req -> Future.succeededFuture(FunctionResponse.ok("ok"));
    g.register(Target.function("fn-default", fn));
    g.register(Target.functionBuilder("fn-checked", fn).healthCheckEnabled(true).build());
    g.register(Target.of("i-1", "127.0.0.1", 1));
    g.register(Target.balancer("nested", group("inner")));
    assertThat(g.target("fn-default").health()).isEqualTo(TargetHealth.UNAVAILABLE);
    assertThat(g.target("fn-checked").health()).isEqualTo(TargetHealth.INITIAL);
    assertThat(g.target("i-1").health()).isEqualTo(TargetHealth.INITIAL);
    assertThat(g.target("nested").health()).isEqualTo(TargetHealth.UNAVAILABLE);
    // the unavailable targets are routable: the group does not fail open, and selection uses them only
    assertThat(g.isFailingOpen()).isFalse();
    for (int i = 0; i < 10; i++) {
      assertThat(g.select(SelectionContext.NONE).target().id()).isIn("fn-default", "nested");
    }
  }

  @Test
  void reRegisteringTheSameHandlerKeepsHealthAndAnotherHandlerIsANewTarget() {
    TargetGroup g = TargetGroup.create(vertx, TargetGroupConfig.builder("checked").healthCheckEnabled(true).build());
    TargetFunction fn = req -> Future.succeededFuture(FunctionResponse.ok("ok"));
    RegisteredTarget first = g.register(Target.functionBuilder("fn", fn).healthCheckEnabled(true).build());
    g.updateHealth("fn", TargetHealth.HEALTHY);
    RegisteredTarget again = g.register(Target.functionBuilder("fn", fn).healthCheckEnabled(true).weight(3).build());
    assertThat(again).isSameAs(first);
    assertThat(again.health()).isEqualTo(TargetHealth.HEALTHY);
    TargetFunction other = req -> Future.succeededFuture(FunctionResponse.ok("other"));
    RegisteredTarget replaced = g.register(Target.functionBuilder("fn", other).healthCheckEnabled(true).build());
    assertThat(replaced).isNotSameAs(first);
    assertThat(replaced.health()).isEqualTo(TargetHealth.INITIAL);
  }

  @Test
  void roundRobinAlternatesAmongAFunctionAndTwoHttpTargetsThroughTheClient() {
    Backend a = backends.start("i-a");
    Backend b = backends.start("i-b");
    List<FunctionRequest> seen = new CopyOnWriteArrayList<>();
    TargetGroup g = group("web");
    g.register(List.of(a.target(), Target.function("fn", req -> {
      seen.add(req);
      return Future.succeededFuture(FunctionResponse.ok("fn"));
    }), b.target()));
    List<String> outcomes = outcomes(g);
    LoadBalancedClient client = client(g);
    List<String> bodies = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      LoadBalancedResponse r = client.get("web", "/orders?id=" + i).putHeader("x-test", "t" + i).send().await();
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.bodyAsString()).isEqualTo(r.target().id().equals("fn") ? "fn" : r.target().id());
      bodies.add(r.bodyAsString());
    }
    assertThat(bodies.subList(0, 3)).containsExactlyInAnyOrder("i-a", "fn", "i-b");
    for (int i = 3; i < 9; i++) {
      assertThat(bodies.get(i)).as("request %d", i).isEqualTo(bodies.get(i - 3));
    }
    assertThat(seen).hasSize(3);
    assertThat(seen.get(0).method()).isEqualTo(HttpMethod.GET);
    assertThat(seen.get(0).path()).isEqualTo("/orders");
    assertThat(seen.get(0).query()).startsWith("id=");
    assertThat(seen.get(0).headers().get("x-test")).startsWith("t");
    assertThat(g.target("fn").requestCount()).isEqualTo(3);
    assertThat(outcomes).filteredOn(o -> o.startsWith("fn:")).containsOnly("fn:SUCCESS").hasSize(3);
  }

  @Test
  void functionGetsTheBodyAndItsResponseHeadersAndStatusReachTheCaller() {
    TargetGroup g = group("fn-only");
    AtomicReference<String> body = new AtomicReference<>();
    g.register(Target.function("echo", req -> {
      body.set(req.bodyAsString());
      FunctionResponse r = FunctionResponse.of(201, "made " + req.bodyAsString());
      r.headers().add("x-made-by", "echo");
      return Future.succeededFuture(r);
    }));
    LoadBalancedResponse r = client(g).post("fn-only", "/things").send(Buffer.buffer("thing-1")).await();
    assertThat(body.get()).isEqualTo("thing-1");
    assertThat(r.statusCode()).isEqualTo(201);
    assertThat(r.response().statusMessage()).isEqualTo("Created");
    assertThat(r.response().getHeader("x-made-by")).isEqualTo("echo");
    assertThat(r.bodyAsString()).isEqualTo("made thing-1");
  }

  @Test
  void throwingFunctionIsAResetAndAnIdempotentRequestIsRetriedOnAnotherTarget() {
    Backend a = backends.start("i-a");
    TargetGroup g = group("web");
    g.register(Target.function("boom", req -> {
      throw new IllegalStateException("bug");
    }));
    g.register(a.target());
    List<String> outcomes = outcomes(g);
    LoadBalancedClient client = client(g);
    for (int i = 0; i < 4; i++) {
      LoadBalancedResponse r = client.get("web", "/").send().await();
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.target().id()).isEqualTo("i-a");
    }
    assertThat(outcomes).filteredOn(o -> o.startsWith("boom:")).containsOnly("boom:RESET").hasSize(2);
    assertThat(g.target("boom").failureCount()).isEqualTo(2);
  }

  @Test
  void failingFunctionFailsANonIdempotentRequestWithoutRetry() {
    TargetGroup g = group("web");
    g.register(Target.function("fails", req -> Future.failedFuture(new IllegalStateException("db down"))));
    List<String> outcomes = outcomes(g);
    Throwable err = client(g).post("web", "/").send(Buffer.buffer("x"))
        .transform(ar -> Future.succeededFuture(ar.cause())).await();
    assertThat(err).isInstanceOf(LoadBalancerException.class);
    assertThat(((LoadBalancerException) err).kind()).isEqualTo(LoadBalancerException.Kind.ALL_ATTEMPTS_FAILED);
    assertThat(err.getMessage()).contains("POST is not idempotent and the function may have processed it")
        .contains("db down");
    assertThat(outcomes).containsExactly("fails:RESET");
  }

  @Test
  void functionThatDoesNotAnswerInTimeIsATimeout() {
    TargetGroup g = group("web");
    Promise<FunctionResponse> never = Promise.promise();
    g.register(Target.function("slow", req -> never.future()));
    List<String> outcomes = outcomes(g);
    Throwable err = client(g).get("web", "/").timeout(100).send()
        .transform(ar -> Future.succeededFuture(ar.cause())).await();
    assertThat(err.getMessage()).contains("the function timed out").contains("did not answer within 100 ms");
    assertThat(outcomes).containsExactly("slow:TIMEOUT");
  }

  @Test
  void function5xxIsAFailedRequestAndPassedThrough() {
    TargetGroup g = group("web");
    g.register(Target.function("sick", req -> Future.succeededFuture(FunctionResponse.of(503, "busy"))));
    List<String> outcomes = outcomes(g);
    LoadBalancedResponse r = client(g).get("web", "/").send().await();
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(outcomes).containsExactly("sick:TARGET_5XX");
  }

  @Test
  void balancerTargetHandsRequestsToTheNestedGroupAndBothCountThem() {
    Backend a = backends.start("i-a");
    Backend b = backends.start("i-b");
    TargetGroup inner = group("inner");
    inner.register(List.of(a.target(), b.target()));
    TargetGroup outer = group("outer");
    outer.register(Target.balancer("to-inner", inner));
    List<String> outerOutcomes = outcomes(outer);
    List<String> innerOutcomes = outcomes(inner);
    LoadBalancedClient client = client(outer); // the nested group need not be added to the client
    List<String> bodies = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      LoadBalancedResponse r = client.get("outer", "/").send().await();
      assertThat(r.target().id()).isEqualTo("to-inner");
      bodies.add(r.bodyAsString());
    }
    assertThat(bodies).containsExactly(bodies.get(0), bodies.get(1), bodies.get(0), bodies.get(1));
    assertThat(bodies).containsOnly("i-a", "i-b");
    assertThat(outer.target("to-inner").requestCount()).isEqualTo(4);
    assertThat(outerOutcomes).containsOnly("to-inner:SUCCESS").hasSize(4);
    assertThat(innerOutcomes).hasSize(4);
  }

  @Test
  void nestedGroupWithoutTargetsIsAConnectFailureRetriedOnAnotherTarget() {
    Backend a = backends.start("i-a");
    TargetGroup empty = group("empty");
    TargetGroup outer = group("outer");
    outer.register(List.of(Target.balancer("to-empty", empty), a.target()));
    List<String> outcomes = outcomes(outer);
    LoadBalancedClient client = client(outer);
    for (int i = 0; i < 2; i++) {
      assertThat(client.get("outer", "/").send().await().bodyAsString()).isEqualTo("i-a");
    }
    assertThat(outcomes).contains("to-empty:CONNECT_FAILURE");
  }

  @Test
  void loopsAreRefusedWithTheLoopNamed() {
    TargetGroup a = group("a");
    TargetGroup b = group("b");
    TargetGroup c = group("c");
    assertThatThrownBy(() -> a.register(Target.balancer("self", a)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("target: self (expected: no loop; target group a -> a)");
    a.register(Target.balancer("a-to-b", b));
    assertThatThrownBy(() -> b.register(Target.balancer("b-to-a", a)))
        .hasMessage("target: b-to-a (expected: no loop; target group b -> a -> b)");
    b.register(Target.balancer("b-to-c", c));
    assertThatThrownBy(() -> c.register(List.of(Target.of("i-1", "127.0.0.1", 1), Target.balancer("c-to-a", a))))
        .hasMessage("target: c-to-a (expected: no loop; target group c -> a -> b -> c)");
    assertThat(c.targets()).isEmpty(); // a refused batch registers nothing
    // after the edge that closed the loop is gone, the registration is accepted
    b.deregister("b-to-c").await();
    c.register(Target.balancer("c-to-a", a));
    assertThat(c.target("c-to-a")).isNotNull();
  }
}
