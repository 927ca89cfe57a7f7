package dev.loadstar.routing.gateway;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.loadstar.core.Stickiness;
import dev.loadstar.core.TargetGroupConfig;
import dev.loadstar.routing.Action;
import dev.loadstar.routing.Condition;
import dev.loadstar.routing.ListenerConfig;
import dev.loadstar.routing.Rule;
import dev.loadstar.routing.RuleSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Rules, headers, stickiness, redirects and fixed responses through a real gateway. */
class GatewayForwardingTest {

  private final GatewayFixture f = new GatewayFixture();
  private WireMockServer wiremock;

  @AfterEach
  void tearDown() {
    f.close();
    if (wiremock != null) {
      wiremock.stop();
    }
  }

  @Test
  void seedRoutingThroughTheGateway() {
    f.group("image", f.backend("image-1"));
    f.group("web", f.backend("web-1"));
    f.group("lambda", f.backend("lambda-1"));
    f.group("MyWebTargetGroup", f.backend("default-1"));
    f.start(RuleSet.builder()
        .rule(Rule.named("images", 10, Action.forward("image"), Condition.hostHeader("image.sample.com")))
        .rule(Rule.named("web", 20, Action.forward("web"), Condition.hostHeader("web.sample.com")))
        .rule(Rule.named("lambda", 30, Action.forward("lambda"), Condition.hostHeader("lambda.mydomain.com:6060")))
        .rule(Rule.named("maintenance", 40, Action.fixedResponse(503, "application/json", "{\"status\":\"down\"}"),
            Condition.pathPattern("/maintenance")))
        .rule(Rule.named("old", 50, Action.redirect(301).withProtocol("HTTPS").withHost("new.sample.com")
            .withPort("443").withPath("/v2/#{path}"), Condition.pathPattern("/old/*")))
        .defaultAction(Action.forward("MyWebTargetGroup"))
        .build(), ListenerConfig.builder());
    assertThat(f.get("/", GatewayFixture.headers("Host", "image.sample.com")).body()).isEqualTo("image-1");
    assertThat(f.get("/", GatewayFixture.headers("Host", "web.sample.com")).body()).isEqualTo("web-1");
    assertThat(f.get("/", GatewayFixture.headers("Host", "lambda.mydomain.com:6060")).body()).isEqualTo("lambda-1");
    assertThat(f.get("/", GatewayFixture.headers("Host", "lambda.mydomain.com")).body()).isEqualTo("default-1");

    GatewayFixture.Resp fixed = f.get("/maintenance");
    assertThat(fixed.status()).isEqualTo(503);
    assertThat(fixed.headers().get("content-type")).isEqualTo("application/json");
    assertThat(fixed.body()).isEqualTo("{\"status\":\"down\"}");

    GatewayFixture.Resp redirect = f.get("/old/a/b?x=1", GatewayFixture.headers("Host", "www.sample.com"));
    assertThat(redirect.status()).isEqualTo(301);
    assertThat(redirect.headers().get("location")).isEqualTo("https://new.sample.com/v2/old/a/b?x=1");
    assertThat(redirect.body()).isEmpty();
    assertThat(f.listener.stats().elbResponses(503)).isZero();
  }

  @Test
  void listenerPortConditionSeesTheBoundPort() {
    f.group("a", f.backend("on-port"));
    f.group("b", f.backend("elsewhere"));
    f.start(RuleSet.of(Action.forward("b")), ListenerConfig.builder());
    int port = f.listener.actualPort();
    f.listener.rules(RuleSet.builder().rule(Rule.of(1, Action.forward("a"), Condition.listenerPort(port)))
        .defaultAction(Action.forward("b")).build());
    assertThat(f.get("/").body()).isEqualTo("on-port");
  }

  @Test
  void forwardedHeadersLikeAlb() {
    wiremock = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    wiremock.start();
    wiremock.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody("ok")));
    f.group("web", wiremock.port());
    f.start(RuleSet.of(Action.forward("web")), ListenerConfig.builder());
    String port = Integer.toString(f.listener.actualPort());

    f.get("/a", GatewayFixture.headers("X-Forwarded-For", "203.0.113.7", "Connection", "keep-alive, X-Secret",
        "X-Secret", "hop", "Keep-Alive", "timeout=5"));
    wiremock.verify(anyRequestedFor(anyUrl())
        .withHeader("X-Forwarded-For", equalTo("203.0.113.7, 127.0.0.1"))
        .withHeader("X-Forwarded-Proto", equalTo("http"))
        .withHeader("X-Forwarded-Port", equalTo(port))
        .withHeader("X-Amzn-Trace-Id", matching("Root=1-[0-9a-f]{8}-[0-9a-f]{24}"))
        .withHeader("X-Secret", absent())
        .withHeader("Keep-Alive", absent()));

    wiremock.resetRequests();
    f.get("/b", GatewayFixture.headers("X-Amzn-Trace-Id", "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1"));
    wiremock.verify(anyRequestedFor(anyUrl())
        .withHeader("X-Forwarded-For", equalTo("127.0.0.1"))
        .withHeader("X-Amzn-Trace-Id", matching(
            "Self=1-[0-9a-f]{8}-[0-9a-f]{24};Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1")));
  }

  @Test
  void lbCookieKeepsAClientOnItsTarget() {
    f.group("web", TargetGroupConfig.builder("web").stickiness(Stickiness.lbCookie(Duration.ofSeconds(3600))),
        f.backend("i-a"), f.backend("i-b"));
    f.start(RuleSet.of(Action.forward("web")), ListenerConfig.builder());

    GatewayFixture.Resp first = f.get("/");
    String setCookie = first.headers().get("set-cookie");
    assertThat(setCookie).matches("LSALB=[A-Za-z0-9_-]+; Expires=\\w{3}, \\d{2} \\w{3} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT; "
        + "Path=/");
    String cookie = setCookie.substring(0, setCookie.indexOf(';'));
    for (int i = 0; i < 10; i++) {
      assertThat(f.get("/", GatewayFixture.headers("Cookie", "other=1; " + cookie)).body()).isEqualTo(first.body());
    }
    Set<String> withoutCookie = new HashSet<>();
    for (int i = 0; i < 4; i++) {
      withoutCookie.add(f.get("/").body());
    }
    assertThat(withoutCookie).containsExactlyInAnyOrder("i-a", "i-b");
    GatewayFixture.Resp forged = f.get("/", GatewayFixture.headers("Cookie", "LSALB=forged"));
    assertThat(forged.status()).isEqualTo(200);
    assertThat(forged.headers().get("set-cookie")).startsWith("LSALB=");
  }

  @Test
  void weightedForwardWithGroupStickinessKeepsTheGroup() {
    f.group("blue", f.backend("blue"));
    f.group("green", f.backend("green"));
    f.start(RuleSet.of(Action.weightedForward(Duration.ofSeconds(600), Action.group("blue", 1),
        Action.group("green", 1))), ListenerConfig.builder());
    Set<String> seen = new HashSet<>();
    String cookie = null;
    String bodyForCookie = null;
    for (int i = 0; i < 40; i++) {
      GatewayFixture.Resp r = f.get("/");
      seen.add(r.body());
      List<String> cookies = r.headers().getAll("set-cookie");
      assertThat(cookies).anyMatch(c -> c.startsWith("LSALBTG="));
      if (cookie == null) {
        String c = cookies.stream().filter(x -> x.startsWith("LSALBTG=")).findFirst().orElseThrow();
        cookie = c.substring(0, c.indexOf(';'));
        bodyForCookie = r.body();
      }
    }
    assertThat(seen).containsExactlyInAnyOrder("blue", "green");
    for (int i = 0; i < 10; i++) {
      assertThat(f.get("/", GatewayFixture.headers("Cookie", cookie)).body()).isEqualTo(bodyForCookie);
    }
  }

  @Test
  void atomicRuleReplacementUnderTraffic() throws Exception {
    f.group("a", f.backend("A"));
    f.group("b", f.backend("B"));
    RuleSet toA = RuleSet.of(Action.forward("a"));
    RuleSet toB = RuleSet.builder().rule(Rule.of(1, Action.forward("b"), Condition.pathPattern("/*")))
        .defaultAction(Action.forward("a")).build();
    f.start(toA, ListenerConfig.builder());
    List<io.vertx.core.Future<GatewayFixture.Resp>> inFlight = new ArrayList<>();
    List<String> bodies = new ArrayList<>();
    for (int round = 0; round < 10; round++) {
      for (int i = 0; i < 20; i++) {
        inFlight.add(f.sendAsync(io.vertx.core.http.HttpMethod.GET, "/x", null, null));
      }
      f.listener.rules(round % 2 == 0 ? toB : toA);
    }
    for (io.vertx.core.Future<GatewayFixture.Resp> fut : inFlight) {
      GatewayFixture.Resp r = fut.await();
      assertThat(r.status()).isEqualTo(200);
      bodies.add(r.body());
    }
    assertThat(bodies).hasSize(200).allMatch(b -> b.equals("A") || b.equals("B"));
    f.listener.rules(toB);
    assertThat(f.get("/x").body()).isEqualTo("B");
    assertThat(f.listener.stats().elbResponses(502) + f.listener.stats().elbResponses(503)).isZero();
  }
}
