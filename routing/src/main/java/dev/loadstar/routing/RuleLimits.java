package dev.loadstar.routing;

/**
 * The limits a {@link RuleSet} is validated against. The defaults are ALB's quotas; raise them explicitly with the
 * builder (an embedded balancer may hold far more rules than one ALB).
 */
public final class RuleLimits {

  private static final RuleLimits ALB = builder().build();

  private final int maxRules;
  private final int maxValuesPerCondition;
  private final int maxValuesPerRule;
  private final int maxWildcardsPerRule;
  private final int maxPatternLength;

  private RuleLimits(Builder b) {
    this.maxRules = b.maxRules;
    this.maxValuesPerCondition = b.maxValuesPerCondition;
    this.maxValuesPerRule = b.maxValuesPerRule;
    this.maxWildcardsPerRule = b.maxWildcardsPerRule;
    this.maxPatternLength = b.maxPatternLength;
  }

  /** ALB's limits: 100 rules, 3 values per condition, 5 per rule, 5 wildcards per rule, 128-character patterns. */
  public static RuleLimits alb() {
    return ALB;
  }

  /** A builder starting from ALB's limits. */
  public static Builder builder() {
    return new Builder();
  }

  /** Most rules in a set, the default rule excluded (ALB: 100). */
  public int maxRules() {
    return maxRules;
  }

  /** Most values in one condition (ALB: 3). */
  public int maxValuesPerCondition() {
    return maxValuesPerCondition;
  }

  /** Most values (match evaluations) over all conditions of one rule (ALB: 5). */
  public int maxValuesPerRule() {
    return maxValuesPerRule;
  }

  /** Most {@code *} and {@code ?} wildcards over all values of one rule (ALB: 5). */
  public int maxWildcardsPerRule() {
    return maxWildcardsPerRule;
  }

  /** Longest pattern, in characters (ALB: 128). */
  public int maxPatternLength() {
    return maxPatternLength;
  }

  @Override
  public String toString() {
    return "RuleLimits{rules=" + maxRules + ", valuesPerCondition=" + maxValuesPerCondition + ", valuesPerRule="
        + maxValuesPerRule + ", wildcardsPerRule=" + maxWildcardsPerRule + ", patternLength=" + maxPatternLength + "}";
  }

  /** Builds {@link RuleLimits}; every limit is at least 1. */
  public static final class Builder {
    private int maxRules = 100;
    private int maxValuesPerCondition = 3;
    private int maxValuesPerRule = 5;
    private int maxWildcardsPerRule = 5;
    private int maxPatternLength = 128;

    private Builder() {
    }

    /** Sets the most rules in a set. */
    public Builder maxRules(int n) {
      this.maxRules = n;
      return this;
    }

    /** Sets the most values in one condition. */
    public Builder maxValuesPerCondition(int n) {
      this.maxValuesPerCondition = n;
      return this;
    }

    /** Sets the most values over the conditions of one rule. */
    public Builder maxValuesPerRule(int n) {
      this.maxValuesPerRule = n;
      return this;
    }

    /** Sets the most wildcards over the values of one rule. */
    public Builder maxWildcardsPerRule(int n) {
      this.maxWildcardsPerRule = n;
      return this;
    }

    /** Sets the longest pattern. */
    public Builder maxPatternLength(int n) {
      this.maxPatternLength = n;
      return this;
    }

    /** Validates and builds the limits. */
    public RuleLimits build() {
      check("maxRules", maxRules);
      check("maxValuesPerCondition", maxValuesPerCondition);
      check("maxValuesPerRule", maxValuesPerRule);
      check("maxWildcardsPerRule", maxWildcardsPerRule);
      check("maxPatternLength", maxPatternLength);
      return new RuleLimits(this);
    }

    private static void check(String name, int v) {
      if (v < 1) {
        throw new IllegalArgumentException(name + ": " + v + " (expected: >= 1)");
      }
    }
  }
}
