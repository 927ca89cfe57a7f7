package dev.loadstar.routing.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.loadstar.core.Target;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetGroupConfig;
import dev.loadstar.routing.Action;
import dev.loadstar.routing.Condition;
import dev.loadstar.routing.HttpListener;
import dev.loadstar.routing.ListenerConfig;
import dev.loadstar.routing.Rule;
import dev.loadstar.routing.RuleSet;
import dev.loadstar.routing.TcpListener;
import dev.loadstar.routing.gateway.GatewayFixture.Resp;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Balancer targets: a TCP listener in front of an HTTP listener, a group delegating to a group, loops refused. */
class NestedBalancerTest {

  private final GatewayFixture f = new GatewayFixture();
  private TcpListener tcp;

  @AfterEach
  void tearDown() {
    if (tcp != null) {
      tcp.close().await();
    }
    f.close();
  }

  /** An HTTP listener "alb": /api/* to group api, anything else a fixed 404. */
  private HttpListener alb() {
    f.group("api", f.backend("api-1"));
    RuleSet rules = RuleSet.builder()
        .rule(Rule.named("api", 10, Action.forward("api"), Condition.pathPattern("/api/*")))
        .defaultAction(Action.fixedResponse(404, "text/plain", "no route"))
        .build();
    return f.start(rules, ListenerConfig.builder().name("alb"));
  }

  /** Group "edge" holding the HTTP listener as a balancer target, and a TCP listener "nlb" over it. */
  private TargetGroup tcpInFrontOf(HttpListener alb) {
    TargetGroup edge = TargetGroup.create(f.vertx, TargetGroupConfig.builder("edge").build());
    edge.register(Target.balancer("alb", alb));
    f.groups.put("edge", edge);
    tcp = TcpListener.builder(f.vertx).host("127.0.0.1").port(0).targetGroup(edge).name("nlb").build();
    tcp.start().await();
    return edge;
  }

  private Resp viaTcp(String uri) {
    HttpClient c = f.vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false));
    try {
      return GatewayFixture.exchange(c, new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1")
              .setPort(tcp.actualPort()).setURI(uri), r -> r.send())
          .await();
    } finally {
      c.close().await();
    }
  }

  @Test
  void httpClientThroughATcpListenerReachesTheHttpListenersRules() {
    HttpListener alb = alb();
    TargetGroup edge = tcpInFrontOf(alb);
    Resp api = viaTcp("/api/orders");
    assertThat(api.status()).isEqualTo(200);
    assertThat(api.body()).isEqualTo("api-1");
    Resp other = viaTcp("/elsewhere");
    assertThat(other.status()).isEqualTo(404);
    assertThat(other.body()).isEqualTo("no route");
    // each TCP connection counted on the balancer target (when both sides have closed), each request on the HTTP
    // listener (the HTTP listener ends its attempt once the response was written out, which the client may see first)
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThat(edge.target("alb").requestCount()).isEqualTo(2);
      assertThat(f.groups.get("api").target("api-0").requestCount()).isEqualTo(1);
    });
    assertThat(alb.stats().requests()).isEqualTo(2);
    assertThat(edge.target("alb").target().address()).isEqualTo("listener alb");
  }

  @Test
  void aStoppedNestedListenerIsSkippedLikeARefusingTarget() {
    HttpListener alb = alb();
    TargetGroup edge = tcpInFrontOf(alb);
    edge.register(Target.of("direct", "127.0.0.1", f.backend("direct")));
    alb.close().await();
    List<String> bodies = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      bodies.add(viaTcp("/api/x").body());
    }
    assertThat(bodies).containsOnly("direct");
    assertThat(edge.target("alb").failureCount()).isPositive();
  }

  @Test
  void aGroupDelegatesToAnotherGroupThroughTheGateway() {
    f.group("inner", f.backend("in-1"), f.backend("in-2"));
    TargetGroup outer = TargetGroup.create(f.vertx, TargetGroupConfig.builder("outer").build());
    outer.register(Target.balancer("to-inner", f.groups.get("inner")));
    f.groups.put("outer", outer);
    f.start(RuleSet.of(Action.forward("outer")), ListenerConfig.builder());
    List<String> bodies = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      bodies.add(f.get("/").body());
    }
    assertThat(bodies).containsExactly(bodies.get(0), bodies.get(1), bodies.get(0), bodies.get(1))
        .containsOnly("in-1", "in-2");
    // an attempt ends once the response has been written: the client may have it before the count moves
    await().atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(outer.target("to-inner").requestCount()).isEqualTo(4));
    assertThat(f.listener.stats().forwarded()).isEqualTo(4);
  }

  @Test
  void aRegistrationClosingALoopThroughBothListenersIsRefusedWithTheLoopNamed() {
    HttpListener alb = alb();
    tcpInFrontOf(alb);
    TargetGroup api = f.groups.get("api");
    assertThatThrownBy(() -> api.register(Target.balancer("back-to-nlb", tcp)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("target: back-to-nlb (expected: no loop; target group api -> listener nlb -> target group edge"
            + " -> listener alb -> target group api)");
    assertThat(api.target("back-to-nlb")).isNull();
  }

  @Test
  void rulesClosingALoopAreRefusedWithTheLoopNamedAndTheOldRulesStay() {
    HttpListener alb = alb();
    TargetGroup loopy = TargetGroup.create(f.vertx, TargetGroupConfig.builder("loopy").build());
    loopy.register(Target.balancer("to-alb", alb));
    f.groups.put("loopy", loopy);
    RuleSet old = alb.rules();
    RuleSet bad = RuleSet.builder()
        .rule(Rule.named("again", 5, Action.forward("loopy"), Condition.pathPattern("/again/*")))
        .defaultAction(Action.forward("api")).build();
    assertThatThrownBy(() -> alb.rules(bad))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("rule \"again\" forward.targetGroups[0].name: \"loopy\" (expected: no loop; listener alb"
            + " -> target group loopy -> listener alb)");
    assertThat(alb.rules()).isSameAs(old);
    assertThat(f.get("/api/x").body()).isEqualTo("api-1");
  }

  @Test
  void groupLoopIsRefusedWithTheCycleNamed() {
    TargetGroup a = f.group("a");
    TargetGroup b = f.group("b");
    a.register(Target.balancer("a-to-b", b));
    assertThatThrownBy(() -> b.register(Target.balancer("b-to-a", a)))
        .hasMessage("target: b-to-a (expected: no loop; target group b -> a -> b)");
  }
}
