package dev.loadstar.routing;

import dev.loadstar.routing.internal.CompiledMatcher;
import dev.loadstar.routing.internal.RuleValidator;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A listener's validated and compiled rules plus its default action. Immutable: to change the rules of a running
 * listener, build a new set and hand it over (the swap is atomic).
 *
 * <p>{@link #match} costs time proportional to the length of the request's host and path and the number of rules
 * whose host and path patterns can match, not to the total number of rules; it returns exactly what evaluating every
 * rule in priority order would.
 */
public final class RuleSet {

  private final List<Rule> rules;
  private final Rule defaultRule;
  private final RuleLimits limits;
  private final CompiledMatcher matcher;

  private RuleSet(List<Rule> rules, Rule defaultRule, RuleLimits limits) {
    this.rules = rules;
    this.defaultRule = defaultRule;
    this.limits = limits;
    this.matcher = new CompiledMatcher(rules, defaultRule);
  }

  /** A builder with ALB's limits. */
  public static Builder builder() {
    return new Builder();
  }

  /** A rule set with only a default action. */
  public static RuleSet of(Action defaultAction) {
    return builder().defaultAction(defaultAction).build();
  }

  /** The rule for the request: the matching rule with the lowest priority, else the default rule. */
  public Rule match(RoutingRequest request) {
    return matcher.match(request);
  }

  /** The rules in ascending priority order, without the default rule. */
  public List<Rule> rules() {
    return rules;
  }

  /** The default rule (no conditions, evaluated last). */
  public Rule defaultRule() {
    return defaultRule;
  }

  /** The limits the rules were validated against. */
  public RuleLimits limits() {
    return limits;
  }

  /** Every target group named by a forward action, the default action included. */
  public Set<String> targetGroupNames() {
    Set<String> names = new LinkedHashSet<>();
    for (Rule r : rules) {
      collect(r, names);
    }
    collect(defaultRule, names);
    return names;
  }

  private static void collect(Rule r, Set<String> names) {
    if (r.action().type() == Action.Type.FORWARD) {
      for (Action.WeightedGroup g : r.action().targetGroups()) {
        names.add(g.name());
      }
    }
  }

  @Override
  public String toString() {
    return "RuleSet{" + rules.size() + " rules, default " + defaultRule.action() + "}";
  }

  /** Builds a {@link RuleSet}; {@link #build()} validates every rule. */
  public static final class Builder {
    private final List<Rule> rules = new ArrayList<>();
    private Action defaultAction;
    private RuleLimits limits = RuleLimits.alb();

    private Builder() {
    }

    /** Sets the limits (default: ALB's). */
    public Builder limits(RuleLimits limits) {
      this.limits = Objects.requireNonNull(limits, "limits");
      return this;
    }

    /** Adds a rule. */
    public Builder rule(Rule rule) {
      rules.add(Objects.requireNonNull(rule, "rule"));
      return this;
    }

    /** Adds rules. */
    public Builder rules(Collection<Rule> rules) {
      rules.forEach(this::rule);
      return this;
    }

    /** Sets the default action (required). */
    public Builder defaultAction(Action action) {
      this.defaultAction = Objects.requireNonNull(action, "defaultAction");
      return this;
    }

    /**
     * Validates the rules and compiles them. Every error names the rule, the field and the value, e.g.
     * {@code rule "images" host-header[0]: "img_1.example.com" (expected: only A-Z a-z 0-9 - . * ?)}.
     */
    public RuleSet build() {
      if (defaultAction == null) {
        throw new IllegalArgumentException("defaultAction: null (expected: the default rule's action)");
      }
      Rule def = Rule.defaultRule(defaultAction);
      RuleValidator.validate(rules, def, limits);
      List<Rule> sorted = new ArrayList<>(rules);
      sorted.sort(Comparator.comparingInt(Rule::priority));
      return new RuleSet(Collections.unmodifiableList(sorted), def, limits);
    }
  }
}
