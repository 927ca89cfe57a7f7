package dev.loadstar.gateway.internal.config;

import java.math.BigDecimal;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One node of a parsed configuration file with the line and column it starts at: an object, a list, a scalar, a
 * null, or a value already reported as invalid while parsing (an unset environment variable).
 */
public final class Node {

  /** The kind of node. */
  public enum Kind {
    /** A mapping of keys to nodes, in file order. */
    OBJECT,
    /** A sequence of nodes. */
    ARRAY,
    /** A string. */
    STRING,
    /** A whole number. */
    INTEGER,
    /** A number with a fraction or exponent. */
    DECIMAL,
    /** {@code true} or {@code false}. */
    BOOLEAN,
    /** An explicit null (or an empty YAML value). */
    NULL,
    /** A value whose error was already reported (nothing more is said about it). */
    INVALID
  }

  /** A key of an object with its own position (for "unknown field" errors). */
  public record Key(String name, int line, int column) {
  }

  private final Kind kind;
  private final int line;
  private final int column;
  private final Object value;
  private final String raw;
  private final Map<String, Node> fields;
  private final Map<String, Key> keys;
  private final List<Node> items;
  private final String written;

  private Node(Kind kind, int line, int column, Object value, String raw, Map<String, Node> fields,
      Map<String, Key> keys, List<Node> items) {
    this(kind, line, column, value, raw, fields, keys, items, null);
  }

  private Node(Kind kind, int line, int column, Object value, String raw, Map<String, Node> fields,
      Map<String, Key> keys, List<Node> items, String written) {
    this.written = written;
    this.kind = kind;
    this.line = line;
    this.column = column;
    this.value = value;
    this.raw = raw;
    this.fields = fields;
    this.keys = keys;
    this.items = items;
  }

  /** A scalar (or null or invalid) node. */
  public static Node scalar(Kind kind, Object value, String raw, int line, int column) {
    return new Node(kind, line, column, value, raw, Map.of(), Map.of(), List.of());
  }

  /**
   * A scalar whose text held {@code ${env:...}} references ({@code written}, as in the file): errors show that text,
   * never the resolved value (it may be a password).
   */
  public static Node fromEnvironment(Kind kind, Object value, String raw, String written, int line, int column) {
    return new Node(kind, line, column, value, raw, Map.of(), Map.of(), List.of(), written);
  }

  /** Whether the value came from {@code ${env:...}} references. */
  public boolean fromEnvironment() {
    return written != null;
  }

  /** An object node; {@code fields} and {@code keys} keep file order. */
  public static Node object(LinkedHashMap<String, Node> fields, LinkedHashMap<String, Key> keys, int line,
      int column) {
    return new Node(Kind.OBJECT, line, column, null, null, Collections.unmodifiableMap(fields),
        Collections.unmodifiableMap(keys), List.of());
  }

  /** A list node. */
  public static Node array(List<Node> items, int line, int column) {
    return new Node(Kind.ARRAY, line, column, null, null, Map.of(), Map.of(), List.copyOf(items));
  }

  /** The kind. */
  public Kind kind() {
    return kind;
  }

  /** The 1-based line the node starts at. */
  public int line() {
    return line;
  }

  /** The 1-based column the node starts at. */
  public int column() {
    return column;
  }

  /** The scalar value: a String, Long, BigDecimal or Boolean; null otherwise. */
  public Object value() {
    return value;
  }

  /** The fields of an object, in file order. */
  public Map<String, Node> fields() {
    return fields;
  }

  /** The keys of an object with their positions. */
  public Map<String, Key> keys() {
    return keys;
  }

  /** The items of a list. */
  public List<Node> items() {
    return items;
  }

  /** Whether this is a scalar (string, number or boolean). */
  public boolean isScalar() {
    return kind == Kind.STRING || kind == Kind.INTEGER || kind == Kind.DECIMAL || kind == Kind.BOOLEAN;
  }

  /** The scalar as text (numbers and booleans as written). */
  public String text() {
    if (kind == Kind.STRING) {
      return (String) value;
    }
    if (kind == Kind.DECIMAL) {
      return ((BigDecimal) value).toPlainString();
    }
    return raw != null ? raw : String.valueOf(value);
  }

  /**
   * The node as an error message shows it: strings quoted, numbers as written, {@code an object} ...; a value from
   * the environment as the file wrote it ({@code "${env:NAME}"}).
   */
  public String render() {
    if (written != null) {
      return "\"" + written + "\"";
    }
    switch (kind) {
      case STRING:
        return "\"" + value + "\"";
      case OBJECT:
        return "an object";
      case ARRAY:
        return "a list";
      case NULL:
        return "null";
      case INVALID:
        return raw;
      default:
        return text();
    }
  }
}
