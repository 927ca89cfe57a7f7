package dev.loadstar.healthcheck.internal;

import dev.loadstar.core.config.Checks;
import java.util.BitSet;

/**
 * ALB's {@code Matcher.HttpCode}: a comma-separated list of codes and ranges, e.g. {@code 200}, {@code 200,202},
 * {@code 200-299}, {@code 200,300-302}. Immutable once parsed; {@link #matches} is a bit lookup.
 */
public final class HttpCodeMatcher {

  private final BitSet codes;

  private HttpCodeMatcher(BitSet codes) {
    this.codes = codes;
  }

  /** Parses the expression; every code must lie in {@code min..max}. */
  public static HttpCodeMatcher parse(String name, String expression, int min, int max) {
    String expected = "codes " + min + "-" + max + " as \"200\", \"200,202\" or \"200-299\"";
    if (expression == null || expression.isBlank()) {
      throw Checks.invalid(name, expression == null ? "null" : "\"" + expression + "\"", expected);
    }
    BitSet set = new BitSet(max + 1);
    for (String part : expression.split(",", -1)) {
      String p = part.trim();
      int dash = p.indexOf('-');
      int from;
      int to;
      try {
        if (dash < 0) {
          from = Integer.parseInt(p);
          to = from;
        } else {
          from = Integer.parseInt(p.substring(0, dash).trim());
          to = Integer.parseInt(p.substring(dash + 1).trim());
        }
      } catch (NumberFormatException e) {
        throw Checks.invalid(name, "\"" + expression + "\"", expected);
      }
      if (from < min || to > max || from > to) {
        throw Checks.invalid(name, "\"" + expression + "\"", expected);
      }
      set.set(from, to + 1);
    }
    return new HttpCodeMatcher(set);
  }

  /** Whether the status code is one of the accepted codes. */
  public boolean matches(int statusCode) {
    return statusCode >= 0 && codes.get(statusCode);
  }
}
