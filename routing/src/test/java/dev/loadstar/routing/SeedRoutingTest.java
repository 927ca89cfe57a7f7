package dev.loadstar.routing;

import static dev.loadstar.routing.Condition.anyKey;
import static dev.loadstar.routing.Condition.pair;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.MultiMap;
import org.junit.jupiter.api.Test;

/** The seed's routing: host, host:port, path, priority order, default action. */
class SeedRoutingTest {

  private final RuleSet seed = RuleSet.builder()
      .rule(Rule.named("images", 10, Action.forward("image"), Condition.hostHeader("image.sample.com")))
      .rule(Rule.named("web", 20, Action.forward("web"), Condition.hostHeader("web.sample.com")))
      .rule(Rule.named("lambda", 30, Action.forward("lambda"), Condition.hostHeader("lambda.mydomain.com:6060")))
      .rule(Rule.named("dashboard", 40, Action.forward("dashboard"), Condition.hostHeader("dashboard.mydomain.com")))
      .rule(Rule.named("api-v2", 50, Action.forward("api-v2"), Condition.pathPattern("/api/v2/*")))
      .rule(Rule.named("api", 60, Action.forward("api"), Condition.pathPattern("/api/*")))
      .defaultAction(Action.forward("MyWebTargetGroup"))
      .build();

  private static String route(RuleSet rules, String hostHeader, String uri) {
    return route(rules, RoutingRequest.builder().hostPort(80).hostHeader(hostHeader).listenerPort(80)
        .uri(uri).build());
  }

  private static String route(RuleSet rules, RoutingRequest r) {
    Rule rule = rules.match(r);
    return rule.isDefault() ? "default:" + rule.action().targetGroups().get(0).name()
        : rule.action().targetGroups().get(0).name();
  }

  @Test
  void hostsGoToTheirOwnGroups() {
    assertThat(route(seed, "image.sample.com", "/")).isEqualTo("image");
    assertThat(route(seed, "IMAGE.Sample.COM", "/cat.png")).isEqualTo("image");
    assertThat(route(seed, "web.sample.com", "/index.html")).isEqualTo("web");
    assertThat(route(seed, "dashboard.mydomain.com", "/")).isEqualTo("dashboard");
  }

  @Test
  void hostAndPortRouteTheLambdaGroupOnlyOnPort6060() {
    assertThat(route(seed, "lambda.mydomain.com:6060", "/")).isEqualTo("lambda");
    assertThat(route(seed, "lambda.mydomain.com:8080", "/")).isEqualTo("default:MyWebTargetGroup");
    assertThat(route(seed, "lambda.mydomain.com", "/")).isEqualTo("default:MyWebTargetGroup");
  }

  @Test
  void pathRulesApplyInPriorityOrderAndIgnoreTheQueryString() {
    assertThat(route(seed, "other.sample.com", "/api/v2/orders")).isEqualTo("api-v2");
    assertThat(route(seed, "other.sample.com", "/api/v1/orders")).isEqualTo("api");
    assertThat(route(seed, "other.sample.com", "/web?next=/api/x")).isEqualTo("default:MyWebTargetGroup");
    assertThat(route(seed, "other.sample.com", "/API/v1")).isEqualTo("default:MyWebTargetGroup");
  }

  @Test
  void lowerPriorityNumberWinsRegardlessOfInsertionOrder() {
    RuleSet rules = RuleSet.builder()
        .rule(Rule.of(200, Action.forward("broad"), Condition.pathPattern("/*")))
        .rule(Rule.of(100, Action.forward("narrow"), Condition.pathPattern("/img/*")))
        .defaultAction(Action.forward("d"))
        .build();
    assertThat(route(rules, "x.example.com", "/img/a.png")).isEqualTo("narrow");
    assertThat(route(rules, "x.example.com", "/css/a.css")).isEqualTo("broad");
    assertThat(rules.rules()).extracting(Rule::priority).containsExactly(100, 200);
  }

  @Test
  void wildcardHostDoesNotMatchTheBareDomain() {
    RuleSet rules = RuleSet.builder()
        .rule(Rule.of(1, Action.forward("sub"), Condition.hostHeader("*.example.com")))
        .defaultAction(Action.forward("d"))
        .build();
    assertThat(route(rules, "a.example.com", "/")).isEqualTo("sub");
    assertThat(route(rules, "a.b.example.com", "/")).isEqualTo("sub");
    assertThat(route(rules, "example.com", "/")).isEqualTo("default:d");
    assertThat(route(rules, "a.example.com.evil.org", "/")).isEqualTo("default:d");
  }

  @Test
  void valuesInOneConditionAreOredAndConditionsAreAnded() {
    RuleSet rules = RuleSet.builder()
        .rule(Rule.of(1, Action.forward("hit"),
            Condition.httpRequestMethod("GET", "HEAD"),
            Condition.pathPattern("/a/*", "/b/*")))
        .defaultAction(Action.forward("d"))
        .build();
    assertThat(route(rules, RoutingRequest.builder().method("HEAD").path("/b/1").build())).isEqualTo("hit");
    assertThat(route(rules, RoutingRequest.builder().method("GET").path("/a/1").build())).isEqualTo("hit");
    assertThat(route(rules, RoutingRequest.builder().method("POST").path("/a/1").build())).isEqualTo("default:d");
    assertThat(route(rules, RoutingRequest.builder().method("get").path("/a/1").build())).isEqualTo("default:d");
    assertThat(route(rules, RoutingRequest.builder().method("GET").path("/c/1").build())).isEqualTo("default:d");
  }

  @Test
  void headerQuerySourceIpAndListenerPortConditions() {
    RuleSet rules = RuleSet.builder()
        .rule(Rule.of(1, Action.forward("beta"), Condition.httpHeader("X-Canary", "yes*")))
        .rule(Rule.of(2, Action.forward("v2"), Condition.queryString(pair("version", "v2"), anyKey("*preview*"))))
        .rule(Rule.of(3, Action.forward("office"), Condition.sourceIp("10.1.0.0/16", "2001:db8::/32")))
        .rule(Rule.of(4, Action.forward("admin"), Condition.listenerPort(8443)))
        .defaultAction(Action.forward("d"))
        .build();
    MultiMap h = MultiMap.caseInsensitiveMultiMap().add("x-canary", "YES-please");
    assertThat(route(rules, RoutingRequest.builder().headers(h).build())).isEqualTo("beta");
    assertThat(route(rules, RoutingRequest.builder().uri("/?a=1&VERSION=V2").build())).isEqualTo("v2");
    assertThat(route(rules, RoutingRequest.builder().uri("/?x=early%20Preview%21").build())).isEqualTo("v2");
    assertThat(route(rules, RoutingRequest.builder().uri("/v2?version=v3").build())).isEqualTo("default:d");
    assertThat(route(rules, RoutingRequest.builder().sourceIp("10.1.200.3").build())).isEqualTo("office");
    assertThat(route(rules, RoutingRequest.builder().sourceIp("10.2.0.1").build())).isEqualTo("default:d");
    assertThat(route(rules, RoutingRequest.builder().sourceIp("2001:db8:0:1::5").build())).isEqualTo("office");
    MultiMap xff = MultiMap.caseInsensitiveMultiMap().add("X-Forwarded-For", "10.1.0.1");
    assertThat(route(rules, RoutingRequest.builder().headers(xff).sourceIp("192.0.2.1").build()))
        .isEqualTo("default:d");
    assertThat(route(rules, RoutingRequest.builder().listenerPort(8443).build())).isEqualTo("admin");
  }

  @Test
  void targetGroupNamesListEveryForward() {
    assertThat(seed.targetGroupNames())
        .containsExactly("image", "web", "lambda", "dashboard", "api-v2", "api", "MyWebTargetGroup");
  }
}
