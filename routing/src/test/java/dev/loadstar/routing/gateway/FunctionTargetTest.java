package dev.loadstar.routing.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loadstar.core.FunctionRequest;
import dev.loadstar.core.FunctionResponse;
import dev.loadstar.core.LoadBalancedClient;
import dev.loadstar.core.LoadBalancedClientOptions;
import dev.loadstar.core.LoadBalancedResponse;
import dev.loadstar.core.Stickiness;
import dev.loadstar.core.Target;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetGroupConfig;
import dev.loadstar.core.TargetHealth;
import dev.loadstar.healthcheck.DescribeTargetHealth;
import dev.loadstar.healthcheck.HealthCheck;
import dev.loadstar.healthcheck.HealthChecker;
import dev.loadstar.healthcheck.OutlierDetection;
import dev.loadstar.routing.Action;
import dev.loadstar.routing.ListenerConfig;
import dev.loadstar.routing.RuleSet;
import dev.loadstar.routing.gateway.GatewayFixture.Resp;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** An in-process function target beside HTTP targets, through the gateway and through the client. */
class FunctionTargetTest {

  private final GatewayFixture f = new GatewayFixture();
  private final List<HealthChecker> checkers = new ArrayList<>();
  private LoadBalancedClient client;

  @AfterEach
  void tearDown() {
    for (HealthChecker c : checkers) {
      c.close().await();
    }
    if (client != null) {
      client.close().await();
    }
    f.close();
  }

  /** A group "web": i-a, the function, i-b, registered in that order. */
  private TargetGroup webWithFunction(TargetGroupConfig.Builder config, String functionId,
      dev.loadstar.core.TargetFunction fn) {
    TargetGroup g = TargetGroup.create(f.vertx, config.deregistrationDelay(Duration.ZERO).build());
    g.register(List.of(Target.of("i-a", "127.0.0.1", f.backend("i-a")), Target.function(functionId, fn),
        Target.of("i-b", "127.0.0.1", f.backend("i-b"))));
    f.groups.put(g.name(), g);
    return g;
  }

  private LoadBalancedClient client(TargetGroup g) {
    // three attempts: a request may meet the dead server and the failing function before a live target
    client = LoadBalancedClient.create(f.vertx, new LoadBalancedClientOptions().setRequestTimeoutMs(5000)
        .setMaxAttempts(3));
    client.addTargetGroup(g);
    return client;
  }

  private static void assertRoundRobinOverThree(List<String> served) {
    assertThat(served.subList(0, 3)).containsExactlyInAnyOrder("i-a", "fn", "i-b");
    for (int i = 3; i < served.size(); i++) {
      assertThat(served.get(i)).as("request %d", i).isEqualTo(served.get(i - 3));
    }
  }

  @Test
  void roundRobinAlternatesAmongTheFunctionAndTwoHttpTargetsThroughTheGatewayAndTheClient() {
    List<FunctionRequest> calls = new CopyOnWriteArrayList<>();
    TargetGroup g = webWithFunction(TargetGroupConfig.builder("web"), "fn", req -> {
      calls.add(req);
      FunctionResponse r = FunctionResponse.ok("fn");
      r.headers().add("x-instance", "fn");
      return Future.succeededFuture(r);
    });
    f.start(RuleSet.of(Action.forward("web")), ListenerConfig.builder());
    List<String> viaGateway = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      Resp r = f.get("/orders?n=" + i);
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.body()).isEqualTo(r.headers().get("x-instance"));
      viaGateway.add(r.body());
    }
    assertRoundRobinOverThree(viaGateway);
    assertThat(calls).hasSize(4);
    // the function saw what a target would: the URI and the gateway's forwarding headers
    assertThat(calls.get(0).uri()).startsWith("/orders?n=");
    assertThat(calls.get(0).headers().get("x-forwarded-for")).isEqualTo("127.0.0.1");
    assertThat(calls.get(0).headers().get("x-forwarded-proto")).isEqualTo("http");

    LoadBalancedClient c = client(g);
    List<String> viaClient = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      LoadBalancedResponse r = c.get("web", "/orders").send().await();
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.target().id()).isEqualTo(r.bodyAsString());
      viaClient.add(r.bodyAsString());
    }
    assertRoundRobinOverThree(viaClient);
    assertThat(calls).hasSize(8);
    // counted in the same metrics as any target (the gateway's attempts end once their responses were written out,
    // which the client may see first)
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(g.target("fn").requestCount()).isEqualTo(8));
    assertThat(f.listener.stats().forwarded()).isEqualTo(12);
  }

  @Test
  void throwingFunctionIsEjectedLikeADeadServerThroughTheGateway() {
    AtomicInteger fnCalls = new AtomicInteger();
    TargetGroup g = webWithFunction(TargetGroupConfig.builder("web"), "fn", req -> {
      fnCalls.incrementAndGet();
      throw new IllegalStateException("bug in the handler");
    });
    g.register(Target.of("dead", "127.0.0.1", f.refusingPort()));
    checkers.add(HealthChecker.start(f.vertx, g, HealthCheck.defaults(), OutlierDetection.builder()
        .consecutiveFailures(3).baseEjectionTime(Duration.ofMinutes(10)).maxEjectionTime(Duration.ofMinutes(10))
        .build()));
    f.start(RuleSet.of(Action.forward("web")), ListenerConfig.builder());
    int sent = 0;
    while (fnCalls.get() < 3 || g.target("dead").failureCount() < 3) {
      // every GET succeeds: a failed function call or refused connection is retried on another target
      assertThat(f.get("/").status()).isEqualTo(200);
      assertThat(++sent).isLessThan(100);
      awaitEjectionOfEachThatFailedThrice(g, fnCalls);
    }
    assertThat(ejected(g, "fn") && ejected(g, "dead")).isTrue();
    assertThat(fnCalls.get()).isEqualTo(3);
    assertThat(g.target("fn").health().description()).startsWith("Ejected by outlier detection after 3 consecutive");
    List<String> after = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      Resp r = f.get("/");
      assertThat(r.status()).isEqualTo(200);
      after.add(r.body());
    }
    assertThat(after).containsOnly("i-a", "i-b");
    assertThat(fnCalls.get()).isEqualTo(3);
    // describe-target-health shows the function as ALB shows a Lambda target: an Id, no port
    JsonObject fnRow = DescribeTargetHealth.toJson(g, HealthCheck.defaults()).getJsonArray("TargetHealthDescriptions")
        .stream().map(o -> (JsonObject) o).filter(o -> o.getJsonObject("Target").getString("Id").equals("fn"))
        .findFirst().orElseThrow();
    assertThat(fnRow.getJsonObject("Target").encode()).isEqualTo("{\"Id\":\"fn\"}");
    assertThat(fnRow.containsKey("HealthCheckPort")).isFalse();
    assertThat(fnRow.getJsonObject("TargetHealth").getString("Reason")).isEqualTo("Target.OutlierEjected");
  }

  @Test
  void throwingFunctionIsEjectedLikeADeadServerThroughTheClient() {
    AtomicInteger fnCalls = new AtomicInteger();
    TargetGroup g = webWithFunction(TargetGroupConfig.builder("web"), "fn",
        req -> {
          fnCalls.incrementAndGet();
          return Future.failedFuture(new IllegalStateException("database unreachable"));
        });
    g.register(Target.of("dead", "127.0.0.1", f.refusingPort()));
    checkers.add(HealthChecker.start(f.vertx, g, HealthCheck.defaults(), OutlierDetection.builder()
        .consecutiveFailures(3).baseEjectionTime(Duration.ofMinutes(10)).maxEjectionTime(Duration.ofMinutes(10))
        .build()));
    LoadBalancedClient c = client(g);
    int sent = 0;
    while (fnCalls.get() < 3 || g.target("dead").failureCount() < 3) {
      assertThat(c.get("web", "/").send().await().statusCode()).isEqualTo(200);
      assertThat(++sent).isLessThan(100);
      awaitEjectionOfEachThatFailedThrice(g, fnCalls);
    }
    assertThat(ejected(g, "fn") && ejected(g, "dead")).isTrue();
    for (int i = 0; i < 10; i++) {
      assertThat(c.get("web", "/").send().await().bodyAsString()).isIn("i-a", "i-b");
    }
    assertThat(fnCalls.get()).isEqualTo(3);
  }

  /**
   * Waits until the function and the dead server are each ejected once they failed three requests in a row. The
   * third failure opens the target's breaker before the request is retried elsewhere, but the ejection itself is
   * applied on the checker's context a moment later: a request sent meanwhile (a loaded machine's moment can be
   * long) could still reach the target, while the call counts asserted here mean "ejected at the third failure".
   */
  private static void awaitEjectionOfEachThatFailedThrice(TargetGroup g, AtomicInteger fnCalls) {
    await().atMost(Duration.ofSeconds(5)).until(() -> (fnCalls.get() < 3 || ejected(g, "fn"))
        && (g.target("dead").failureCount() < 3 || ejected(g, "dead")));
  }

  private static boolean ejected(TargetGroup g, String id) {
    TargetHealth h = g.target(id).health();
    return h.state() == TargetHealth.State.UNHEALTHY && h.reason() == TargetHealth.Reason.TARGET_OUTLIER_EJECTED;
  }

  @Test
  void functionAnswerBodyAndStickyCookieReachTheCaller() {
    TargetGroup g = TargetGroup.create(f.vertx, TargetGroupConfig.builder("api")
        .stickiness(Stickiness.lbCookie(Duration.ofHours(1))).build());
    g.register(Target.of("i-a", "127.0.0.1", f.backend("i-a")));
    AtomicInteger fnCalls = new AtomicInteger();
    g.register(Target.function("fn", req -> {
      fnCalls.incrementAndGet();
      FunctionResponse r = FunctionResponse.of(201, "created " + req.bodyAsString());
      r.headers().add("x-instance", "fn").add("connection", "close");
      return Future.succeededFuture(r);
    }));
    f.groups.put("api", g);
    f.start(RuleSet.of(Action.forward("api")), ListenerConfig.builder());
    Resp first = f.send(HttpMethod.POST, "/things", null, "t-1");
    Resp fnAnswer = first.body().startsWith("created") ? first : f.send(HttpMethod.POST, "/things", null, "t-1");
    assertThat(fnAnswer.status()).isEqualTo(201);
    assertThat(fnAnswer.body()).isEqualTo("created t-1");
    assertThat(fnAnswer.headers().get("x-instance")).isEqualTo("fn");
    String cookie = fnAnswer.headers().getAll("set-cookie").stream().filter(h -> h.startsWith("LSALB="))
        .findFirst().orElseThrow();
    String pair = cookie.substring(0, cookie.indexOf(';'));
    int before = fnCalls.get();
    for (int i = 0; i < 4; i++) {
      Resp r = f.send(HttpMethod.POST, "/things", GatewayFixture.headers("cookie", pair), "t");
      assertThat(r.headers().get("x-instance")).isEqualTo("fn");
    }
    assertThat(fnCalls.get()).isEqualTo(before + 4);
  }

  @Test
  void functionTimeoutIs504AndAThrowOnAPostIs502() {
    Promise<FunctionResponse> never = Promise.promise();
    AtomicBoolean slow = new AtomicBoolean(true);
    TargetGroup g = TargetGroup.create(f.vertx, TargetGroupConfig.builder("fns").build());
    g.register(Target.function("fn", req -> {
      if (slow.get()) {
        return never.future();
      }
      throw new IllegalStateException("boom");
    }));
    f.groups.put("fns", g);
    // the listener closes a client connection idle for the idle timeout + 1 s: a loaded machine has been seen to take
    // over 2 s between the connect and the request, so a shorter timeout could close the connection instead
    f.start(RuleSet.of(Action.forward("fns")), ListenerConfig.builder().idleTimeout(Duration.ofMillis(2_500)));
    assertThat(f.get("/").status()).isEqualTo(504);
    slow.set(false);
    assertThat(f.send(HttpMethod.POST, "/", null, "x").status()).isEqualTo(502);
    assertThat(f.listener.stats().elbResponses(504)).isEqualTo(1);
    assertThat(f.listener.stats().elbResponses(502)).isEqualTo(1);
    assertThat(g.target("fn").failureCount()).isEqualTo(2);
  }
}
