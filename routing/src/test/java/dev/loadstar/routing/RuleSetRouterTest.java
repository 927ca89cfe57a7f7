package dev.loadstar.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loadstar.core.RequestRouter;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Client-side routing: one client, many services. */
class RuleSetRouterTest {

  private static final MultiMap NONE = MultiMap.caseInsensitiveMultiMap();

  private final RuleSet rules = RuleSet.builder()
      .rule(Rule.named("orders", 10, Action.forward("orders"), Condition.hostHeader("orders.internal")))
      .rule(Rule.named("users", 20, Action.forward("users"), Condition.hostHeader("users.internal")))
      .rule(Rule.named("svc-8080", 30, Action.forward("admin"), Condition.hostHeader("*.internal:8080")))
      .rule(Rule.named("gone", 40, Action.fixedResponse(410, "text/plain", "gone"),
          Condition.hostHeader("legacy.internal")))
      .defaultAction(Action.fixedResponse(404, null, null))
      .build();

  @Test
  void routesByHostToTheServicesGroup() {
    RequestRouter router = RuleSetRouter.of(rules);
    assertThat(router.route(HttpMethod.GET, "orders.internal", 80, "/api/orders/42", null, NONE)).isEqualTo("orders");
    assertThat(router.route(HttpMethod.POST, "users.internal", 80, "/api/users", "x=1", NONE)).isEqualTo("users");
    assertThat(router.route(HttpMethod.GET, "reports.internal", 8080, "/", null, NONE)).isEqualTo("admin");
  }

  @Test
  void nonForwardActionsAndUnmatchedRequestsYieldNull() {
    RequestRouter router = RuleSetRouter.of(rules);
    assertThat(router.route(HttpMethod.GET, "legacy.internal", 80, "/", null, NONE)).isNull();
    assertThat(router.route(HttpMethod.GET, "unknown.internal", 80, "/", null, NONE)).isNull();
  }

  @Test
  void updateSwapsTheRuleSet() {
    RuleSetRouter router = RuleSetRouter.of(rules);
    router.update(RuleSet.of(Action.forward("everything")));
    assertThat(router.route(HttpMethod.GET, "orders.internal", 80, "/", null, NONE)).isEqualTo("everything");
  }

  @Test
  void weightedForwardSplitsByWeight() {
    RuleSetRouter router = RuleSetRouter.of(RuleSet.of(
        Action.weightedForward(Action.group("blue", 3), Action.group("green", 1), Action.group("off", 0))));
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < 4000; i++) {
      counts.merge(router.route(HttpMethod.GET, "a.internal", 80, "/", null, NONE), 1, Integer::sum);
    }
    assertThat(counts).doesNotContainKey("off");
    // 3:1 expected; binomial sd ~27 for n=4000, p=0.25 -> allow 6 sd
    assertThat(counts.get("green")).isBetween(1000 - 170, 1000 + 170);
  }
}
