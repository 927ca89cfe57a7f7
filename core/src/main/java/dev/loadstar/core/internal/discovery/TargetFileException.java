package dev.loadstar.core.internal.discovery;

/**
 * A target file could not be read or is invalid; the message names the file and, where known, the line and
 * column: {@code /etc/targets.json, line 3, column 5: ...}.
 */
public final class TargetFileException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int line;
  private final int column;

  TargetFileException(String file, int line, int column, String message, Throwable cause) {
    super(file + (line > 0 ? ", line " + line + (column > 0 ? ", column " + column : "") : "") + ": " + message,
        cause, false, false);
    this.line = line;
    this.column = column;
  }

  /** The 1-based line, or 0 when unknown. */
  public int line() {
    return line;
  }

  /** The 1-based column, or 0 when unknown. */
  public int column() {
    return column;
  }
}
