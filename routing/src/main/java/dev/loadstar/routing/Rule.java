package dev.loadstar.routing;

import java.util.List;
import java.util.Objects;

/**
 * A listener rule: a priority (1-50000, lowest evaluated first), conditions that must all match, and an action.
 *
 * <p>Immutable; validated when a {@link RuleSet} is built. The default rule of a rule set has no conditions and is
 * evaluated last.
 */
public final class Rule {

  private final int priority;
  private final String name;
  private final List<Condition> conditions;
  private final Action action;
  private final boolean isDefault;

  private Rule(int priority, String name, List<Condition> conditions, Action action, boolean isDefault) {
    this.priority = priority;
    this.name = name;
    this.conditions = conditions;
    this.action = action;
    this.isDefault = isDefault;
  }

  /** A rule named {@code "priority <n>"}. */
  public static Rule of(int priority, Action action, Condition... conditions) {
    return named("priority " + priority, priority, action, conditions);
  }

  /** A rule with a name (used in error messages and logs). */
  public static Rule named(String name, int priority, Action action, Condition... conditions) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(conditions, "conditions");
    for (Condition c : conditions) {
      Objects.requireNonNull(c, "condition");
    }
    return new Rule(priority, name, List.of(conditions), action, false);
  }

  static Rule defaultRule(Action action) {
    return new Rule(Integer.MAX_VALUE, "default", List.of(), Objects.requireNonNull(action, "defaultAction"), true);
  }

  /** The priority (the default rule reports {@link Integer#MAX_VALUE}). */
  public int priority() {
    return priority;
  }

  /** The rule's name. */
  public String name() {
    return name;
  }

  /** The conditions, all of which must match. */
  public List<Condition> conditions() {
    return conditions;
  }

  /** The action. */
  public Action action() {
    return action;
  }

  /** Whether this is the rule set's default rule. */
  public boolean isDefault() {
    return isDefault;
  }

  @Override
  public String toString() {
    return "Rule{" + (isDefault ? "default" : "\"" + name + "\" priority " + priority) + " " + conditions + " -> "
        + action + "}";
  }
}
