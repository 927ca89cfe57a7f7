package dev.loadstar.gateway.config;

/**
 * One problem found in a configuration file.
 *
 * @param file the file as given (or a name for text that did not come from a file)
 * @param line the 1-based line
 * @param column the 1-based column
 * @param path where in the document, e.g. {@code targetGroups[1].healthCheck.intervalSeconds} (empty for the root)
 * @param message the path, the value and what was expected, e.g.
 *     {@code targetGroups[1].healthCheck.intervalSeconds: 3 (expected: 5-300 whole seconds, ...)}
 */
public record ConfigError(String file, int line, int column, String path, String message) {

  /** {@code file:line:column: message}, as compilers print errors. */
  @Override
  public String toString() {
    return file + ":" + line + ":" + column + ": " + message;
  }
}
