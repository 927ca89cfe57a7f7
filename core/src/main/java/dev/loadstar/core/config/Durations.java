package dev.loadstar.core.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations in configuration: {@code 500ms}, {@code 5s}, {@code 2m}, {@code 1h}, ISO-8601 ({@code PT5S}) or a
 * number of milliseconds; and their short display form.
 */
public final class Durations {

  /** What a duration parameter accepts, for error messages. */
  public static final String EXPECTED = "a duration such as 500ms, 5s, 2m, 1h or PT5S, or a number of milliseconds";

  private static final Pattern SHORT = Pattern.compile("(\\d+)\\s*(ms|s|m|h)");

  private Durations() {
  }

  /** Parses a configuration value (string or number) or fails naming the parameter. */
  public static Duration parse(String name, Object value) {
    if (value instanceof Number n) {
      if (n instanceof Double || n instanceof Float) {
        if (n.doubleValue() != Math.rint(n.doubleValue())) {
          throw Checks.invalid(name, n, EXPECTED);
        }
      }
      return Duration.ofMillis(n.longValue());
    }
    if (value instanceof String s) {
      String t = s.trim();
      Matcher m = SHORT.matcher(t);
      try {
        if (m.matches()) {
          long amount = Long.parseLong(m.group(1));
          switch (m.group(2)) {
            case "ms":
              return Duration.ofMillis(amount);
            case "s":
              return Duration.ofSeconds(amount);
            case "m":
              return Duration.ofMinutes(amount);
            default:
              return Duration.ofHours(amount);
          }
        }
        if (t.matches("-?\\d+")) {
          return Duration.ofMillis(Long.parseLong(t));
        }
        if (t.startsWith("P") || t.startsWith("p") || t.startsWith("-P")) {
          return Duration.parse(t);
        }
      } catch (NumberFormatException | DateTimeParseException | ArithmeticException e) {
        // falls through to the error below
      }
    }
    throw Checks.invalid(name, Params.render(value), EXPECTED);
  }

  /** A short form: {@code 250ms}, {@code 5s}, {@code 2m}, {@code 1h}, {@code 1m30s}. */
  public static String format(Duration d) {
    if (d.isNegative()) {
      return "-" + format(d.negated());
    }
    long ms = d.toMillis();
    if (ms == 0) {
      return d.isZero() ? "0s" : d.toNanos() / 1000 + "us";
    }
    if (ms % 1000 != 0) {
      return ms + "ms";
    }
    long s = ms / 1000;
    if (s % 3600 == 0) {
      return s / 3600 + "h";
    }
    if (s % 60 == 0) {
      return s / 60 + "m";
    }
    if (s > 60) {
      return s / 60 + "m" + s % 60 + "s";
    }
    return s + "s";
  }

  /** Fails unless the duration is strictly positive. */
  public static Duration positive(String name, Duration d) {
    Checks.notNull(name, d);
    if (d.isZero() || d.isNegative()) {
      throw Checks.invalid(name, format(d), "> 0");
    }
    return d;
  }

  /** Fails unless the duration is zero or positive. */
  public static Duration nonNegative(String name, Duration d) {
    Checks.notNull(name, d);
    if (d.isNegative()) {
      throw Checks.invalid(name, format(d), ">= 0");
    }
    return d;
  }

  /** The duration, bounded below and above. */
  public static Duration clamp(Duration d, Duration min, Duration max) {
    return d.compareTo(min) < 0 ? min : d.compareTo(max) > 0 ? max : d;
  }
}
