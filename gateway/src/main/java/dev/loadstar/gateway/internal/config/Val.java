package dev.loadstar.gateway.internal.config;

/**
 * A field read from a configuration object: its path, its node (null when absent), its typed value (null when
 * absent or invalid) and whether an error was already reported for it.
 *
 * @param path the field's path
 * @param node the field's node, or null when absent
 * @param value the typed value, or null
 * @param invalid whether the field was present but wrong (already reported)
 * @param <T> the value type
 */
public record Val<T>(String path, Node node, T value, boolean invalid) {

  /** Whether the field has a valid value. */
  public boolean present() {
    return value != null;
  }

  /** The value, or {@code defaultValue} when absent or invalid. */
  public T or(T defaultValue) {
    return value != null ? value : defaultValue;
  }

  /** The value as the file wrote it (strings quoted). */
  public String render() {
    return node == null ? "missing" : node.render();
  }
}
