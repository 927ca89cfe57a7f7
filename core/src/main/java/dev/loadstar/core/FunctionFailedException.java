package dev.loadstar.core;

/** A function target's handler failed: it threw, returned {@code null} or a failed future, or answered {@code null}. */
public final class FunctionFailedException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** A failure of the named function target; the cause is the handler's own error, if any. */
  public FunctionFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
