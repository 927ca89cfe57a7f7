package dev.loadstar.routing.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loadstar.core.FunctionResponse;
import dev.loadstar.core.Target;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetGroupConfig;
import dev.loadstar.routing.Action;
import dev.loadstar.routing.Condition;
import dev.loadstar.routing.HttpListener;
import dev.loadstar.routing.ListenerConfig;
import dev.loadstar.routing.RequestRecord;
import dev.loadstar.routing.Rule;
import dev.loadstar.routing.RuleSet;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Every request reaches the request log with ALB's access-log fields, whatever the listener did with it. */
@Timeout(60)
class RequestLogTest {

  private final GatewayFixture f = new GatewayFixture();
  private final List<RequestRecord> records = new CopyOnWriteArrayList<>();
  /** Copies of the fields, taken in the callback (a record must not be kept). */
  private final List<String> lines = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    int live = f.backend("live");
    f.group("web", live);
    f.group("retry", f.refusingPort(), live);
    f.group("dead", f.refusingPort());
    TargetGroup fn = TargetGroup.create(f.vertx, TargetGroupConfig.builder("fn").build());
    fn.register(Target.function("hello", req -> Future.succeededFuture(
        new FunctionResponse(201, MultiMap.caseInsensitiveMultiMap(), Buffer.buffer("hi")))));
    f.groups.put("fn", fn);
    RuleSet rules = RuleSet.builder()
        .rule(Rule.of(10, Action.redirect(301).withProtocol("HTTPS").withPort("443"), Condition.pathPattern("/old")))
        .rule(Rule.of(20, Action.fixedResponse(404, "text/plain", "nope"), Condition.pathPattern("/missing")))
        .rule(Rule.of(30, Action.forward("retry"), Condition.pathPattern("/retry")))
        .rule(Rule.of(40, Action.forward("dead"), Condition.pathPattern("/dead")))
        .rule(Rule.of(50, Action.forward("fn"), Condition.pathPattern("/fn")))
        .defaultAction(Action.forward("web")).build();
    f.start(HttpListener.builder(f.vertx).rules(rules).requestLog(r -> {
      records.add(r);
      lines.add(r.method() + " " + r.url().replaceAll(":\\d+/", ":P/") + " " + r.statusCode() + " "
          + r.targetStatusCode() + " " + r.matchedRulePriority() + " " + r.actionsExecuted() + " "
          + r.targetGroup() + " " + r.targets().size() + " " + r.targetStatusCodes() + " " + r.errorReason() + " "
          + r.redirectUrl() + " " + r.type() + " " + r.protocolVersion() + " " + (r.traceId() != null) + " "
          + (r.requestProcessingNanos() >= 0) + " " + (r.targetProcessingNanos() >= 0) + " "
          + (r.responseProcessingNanos() >= 0) + " " + (r.sentBytes() > 0) + " " + r.listener());
    }), ListenerConfig.builder().name("front").eventLoops(1));
  }

  @AfterEach
  void close() {
    f.close();
  }

  private String logged(String path) {
    int before = lines.size();
    f.get(path, GatewayFixture.headers("user-agent", "probe/1.0"));
    await().atMost(Duration.ofSeconds(10)).until(() -> lines.size() == before + 1);
    return lines.get(before);
  }

  @Test
  void aForwardIsLoggedWithItsTargetAndTimes() {
    assertThat(logged("/a")).isEqualTo("GET http://127.0.0.1:P/a 200 200 0 [forward] web 1 [200] null null http "
        + "HTTP/1.1 true true true true true front");
    RequestRecord r = records.get(0);
    assertThat(r.userAgent()).isEqualTo("probe/1.0");
    assertThat(r.target()).startsWith("127.0.0.1:");
    assertThat(r.clientIp()).isEqualTo("127.0.0.1");
    assertThat(r.requestCreationTime()).isBeforeOrEqualTo(r.time());
  }

  @Test
  void aRetryListsBothTargets() {
    assertThat(logged("/retry")).isEqualTo("GET http://127.0.0.1:P/retry 200 200 30 [forward] retry 2 [0, 200] null "
        + "null http HTTP/1.1 true true true true true front");
  }

  @Test
  void the502OfDeadTargetsNamesTheReason() {
    assertThat(logged("/dead")).isEqualTo("GET http://127.0.0.1:P/dead 502 0 40 [forward] dead 1 [0] "
        + "TargetConnectionError null http HTTP/1.1 true true false false true front");
  }

  @Test
  void redirectsFixedResponsesAndFunctionsAreLogged() {
    assertThat(logged("/old")).startsWith("GET http://127.0.0.1:P/old 301 0 10 [redirect] null 0 [] null "
        + "https://127.0.0.1/old http");
    assertThat(logged("/missing")).startsWith("GET http://127.0.0.1:P/missing 404 0 20 [fixed-response] null 0 [] "
        + "null null http");
    assertThat(logged("/fn")).startsWith("GET http://127.0.0.1:P/fn 201 201 50 [forward] fn 1 [201] null null http");
  }

  @Test
  void aRequestRefusedBeforeRoutingIsLoggedToo() {
    StringBuilder xff = new StringBuilder();
    for (int i = 0; i < 31; i++) {
      xff.append(i == 0 ? "" : ", ").append("10.0.0.").append(i);
    }
    int before = lines.size();
    assertThat(f.get("/x", GatewayFixture.headers("x-forwarded-for", xff.toString())).status()).isEqualTo(463);
    await().atMost(Duration.ofSeconds(10)).until(() -> lines.size() == before + 1);
    assertThat(lines.get(before)).startsWith("GET http://127.0.0.1:P/x 463 0 -1 [] null 0 [] null null http");
  }
}
