package dev.loadstar.gateway.internal.config;

import dev.loadstar.gateway.config.ConfigError;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Collects the errors of one configuration file. */
public final class Context {

  private final String file;
  private final List<ConfigError> errors = new ArrayList<>();

  /** A context for the named file. */
  public Context(String file) {
    this.file = file;
  }

  /** Records an error at a position; {@code detail} follows the path, e.g. {@code 3 (expected: 5-300)}. */
  public void error(int line, int column, String path, String detail) {
    errors.add(new ConfigError(file, line, column, path, path.isEmpty() ? detail : path + ": " + detail));
  }

  /** Records an error at a node. */
  public void error(Node at, String path, String detail) {
    error(at == null ? 1 : at.line(), at == null ? 1 : at.column(), path, detail);
  }

  /** Every error so far, in file order (stable for errors on the same position). */
  public List<ConfigError> errors() {
    List<ConfigError> sorted = new ArrayList<>(errors);
    sorted.sort(Comparator.comparingInt(ConfigError::line).thenComparingInt(ConfigError::column));
    return sorted;
  }

  /** Whether any error was recorded. */
  public boolean hasErrors() {
    return !errors.isEmpty();
  }

  /** How many errors were recorded. */
  public int count() {
    return errors.size();
  }
}
