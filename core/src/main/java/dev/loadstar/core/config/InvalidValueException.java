package dev.loadstar.core.config;

/**
 * A setting refused by a builder or a parser, with its parts kept apart: the field (Java name, or a path of them),
 * the value as written in the message, and what was expected. The message reads {@code field: value (expected: ...)}.
 * Configuration binders map {@link #field()} to a position in their file without reading the message.
 */
public class InvalidValueException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  private final String field;
  private final String value;
  private final String expected;

  /** A refusal of {@code value} (shown as {@code String.valueOf(value)}) for {@code field}. */
  public InvalidValueException(String field, Object value, String expected) {
    super(field + ": " + value + " (expected: " + expected + ")");
    this.field = field;
    this.value = String.valueOf(value);
    this.expected = expected;
  }

  /** The field, as the builder names it ({@code healthyThresholdCount}, {@code forward.targetGroups[0].name}). */
  public String field() {
    return field;
  }

  /** The refused value as the message shows it (strings quoted where the builder quotes them). */
  public String value() {
    return value;
  }

  /** What would have been accepted. */
  public String expected() {
    return expected;
  }

  /** The same refusal with the field prefixed by {@code prefix} and a dot ({@code targets[2]} + {@code port}). */
  public InvalidValueException within(String prefix) {
    InvalidValueException e = new InvalidValueException(prefix + "." + field, value, expected);
    e.initCause(this);
    return e;
  }
}
