package dev.loadstar.core.internal.discovery;

/**
 * One entry of a target list is invalid: which entry, and why ({@code name: value (expected: ...)}).
 */
public final class InvalidTargetException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  private final int index;

  InvalidTargetException(int index, String message, Throwable cause) {
    super(message, cause);
    this.index = index;
  }

  /** The position of the invalid entry in its list. */
  public int index() {
    return index;
  }
}
