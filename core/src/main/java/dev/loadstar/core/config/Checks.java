package dev.loadstar.core.config;

import java.time.Duration;

/**
 * Argument checks for builders and extensions: each fails with an {@link InvalidValueException} reading
 * {@code name: value (expected: ...)}, or a {@link NullPointerException} for a missing argument.
 */
public final class Checks {

  private Checks() {
  }

  /** Fails unless {@code min <= value <= max}. */
  public static int range(String name, int value, int min, int max) {
    if (value < min || value > max) {
      throw new InvalidValueException(name, value, min + "-" + max);
    }
    return value;
  }

  /** Fails unless {@code min <= value <= max}. */
  public static long range(String name, long value, long min, long max) {
    if (value < min || value > max) {
      throw new InvalidValueException(name, value, min + "-" + max);
    }
    return value;
  }

  /** Fails unless {@code value > 0}. */
  public static long positive(String name, long value) {
    if (value <= 0) {
      throw new InvalidValueException(name, value, "> 0");
    }
    return value;
  }

  /** Fails unless the duration is strictly positive. */
  public static Duration positive(String name, Duration value) {
    notNull(name, value);
    if (value.isZero() || value.isNegative()) {
      throw new InvalidValueException(name, value, "> 0");
    }
    return value;
  }

  /** Fails unless {@code min <= value <= max} (fraction). */
  public static double range(String name, double value, double min, double max) {
    if (!(value >= min && value <= max)) {
      throw new InvalidValueException(name, value, min + "-" + max);
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
      throw new InvalidValueException(name, value == null ? "null" : "\"" + value + "\"", "a non-blank string");
    }
    return value;
  }

  /** Fails with the standard message format. */
  public static InvalidValueException invalid(String name, Object value, String expected) {
    return new InvalidValueException(name, value, expected);
  }
}
