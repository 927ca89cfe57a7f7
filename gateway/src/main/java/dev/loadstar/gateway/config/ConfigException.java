package dev.loadstar.gateway.config;

import java.util.List;

/** A configuration file has errors; {@link #errors()} lists every one of them, in file order. */
public final class ConfigException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final transient List<ConfigError> errors;

  /** An exception carrying the errors (at least one). */
  public ConfigException(List<ConfigError> errors) {
    super(render(errors));
    this.errors = List.copyOf(errors);
  }

  /** Every error, in file order. */
  public List<ConfigError> errors() {
    return errors;
  }

  private static String render(List<ConfigError> errors) {
    StringBuilder b = new StringBuilder();
    b.append(errors.size()).append(errors.size() == 1 ? " error" : " errors");
    for (ConfigError e : errors) {
      b.append(System.lineSeparator()).append(e);
    }
    return b.toString();
  }
}
