package dev.loadstar.routing.internal;

import dev.loadstar.routing.RoutingRequest;
import dev.loadstar.routing.Rule;

/**
 * Chooses the rule for a request: the matching rule with the lowest priority, else the default rule.
 */
public interface RuleMatcher {

  /** The rule that applies to the request; never {@code null}. */
  Rule match(RoutingRequest request);
}
