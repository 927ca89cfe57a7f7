package dev.loadstar.core.internal;

import java.time.Duration;

/**
 * Argument checks that fail with {@code name: value (expected: ...)}.
 */
public final class Checks {

  private Checks() {
  }

  /** Fails unless {@code min <= value <= max}. */
  public static int range(String name, int value, int min, int max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(name + ": " + value + " (expected: " + min + "-" + max + ")");
    }
    return value;
  }

  /** Fails unless {@code min <= value <= max}. */
  public static long range(String name, long value, long min, long max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(name + ": " + value + " (expected: " + min + "-" + max + ")");
    }
    return value;
  }

  /** Fails unless {@code value > 0}. */
  public static long positive(String name, long value) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
    }
    return value;
  }

  /** Fails unless the duration is strictly positive. */
  public static Duration positive(String name, Duration value) {
    notNull(name, value);
    if (value.isZero() || value.isNegative()) {
      throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
    }
    return value;
  }

  /** Fails unless {@code min <= value <= max} (fraction). */
  public static double range(String name, double value, double min, double max) {
    if (!(value >= min && value <= max)) {
      throw new IllegalArgumentException(name + ": " + value + " (expected: " + min + "-" + max + ")");
    }
    return value;
  }

  /** Fails when the value is null. */
  public static <T> T notNull(String name, T value) {
    if (value == null) {
      throw new NullPointerException(name + ": null (expected: a value)");
    }
    return value;
  }

  /** Fails when the string is null, empty or blank. */
  public static String notBlank(String name, String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(name + ": " + (value == null ? "null" : "\"" + value + "\"")
          + " (expected: a non-blank string)");
    }
    return value;
  }

  /** Fails with the standard message format. */
  public static IllegalArgumentException invalid(String name, Object value, String expected) {
    return new IllegalArgumentException(name + ": " + value + " (expected: " + expected + ")");
  }
}
