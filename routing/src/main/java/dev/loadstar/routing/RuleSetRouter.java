package dev.loadstar.routing;

import dev.loadstar.core.RequestRouter;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Client-side routing with listener rules: the {@link RequestRouter} a {@code LoadBalancedClient} uses to send
 * {@code http://orders.internal/api/...} to the {@code orders} target group.
 *
 * <p>A forward action yields its group (a weighted forward picks one by weight); a redirect or fixed-response
 * action yields {@code null}, as does a request no rule and no default forward covers. {@code source-ip}
 * conditions never match on the client side (there is no peer). The rule set can be replaced at any time; each
 * call sees one set.
 */
public final class RuleSetRouter implements RequestRouter {

  private volatile RuleSet rules;

  private RuleSetRouter(RuleSet rules) {
    this.rules = rules;
  }

  /** A router over the rule set. */
  public static RuleSetRouter of(RuleSet rules) {
    return new RuleSetRouter(Objects.requireNonNull(rules, "rules"));
  }

  /** Replaces the rule set atomically. */
  public void update(RuleSet rules) {
    this.rules = Objects.requireNonNull(rules, "rules");
  }

  /** The current rule set. */
  public RuleSet ruleSet() {
    return rules;
  }

  @Override
  public String route(HttpMethod method, String host, int port, String path, String query, MultiMap headers) {
    RoutingRequest r = RoutingRequest.builder().method(method.name()).host(host).hostPort(port).listenerPort(port)
        .path(path == null || path.isEmpty() ? "/" : path).query(query).headers(headers).build();
    Action a = rules.match(r).action();
    if (a.type() != Action.Type.FORWARD) {
      return null;
    }
    return a.pickTargetGroup();
  }
}
