package dev.loadstar.gateway.internal.config;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the fields of one configuration object with type checks; every key asked for becomes a known key, and
 * {@link #rejectUnknown()} reports the others (with a "did you mean" when one is close).
 */
public final class Obj {

  private final Context ctx;
  private final String path;
  private final Node node;
  private final Set<String> known = new LinkedHashSet<>();

  /** A reader of {@code node}, an object at {@code path}. */
  public Obj(Context ctx, String path, Node node) {
    this.ctx = ctx;
    this.path = path;
    this.node = node;
  }

  /**
   * Reads {@code node} as an object; reports an error and returns null when it is something else (or null when
   * it is absent or already invalid).
   */
  public static Obj of(Context ctx, String path, Node node) {
    if (node == null || node.kind() == Node.Kind.NULL || node.kind() == Node.Kind.INVALID) {
      return null;
    }
    if (node.kind() != Node.Kind.OBJECT) {
      ctx.error(node, path, node.render() + " (expected: an object)");
      return null;
    }
    return new Obj(ctx, path, node);
  }

  /** The context. */
  public Context ctx() {
    return ctx;
  }

  /** This object's path. */
  public String path() {
    return path;
  }

  /** This object's node. */
  public Node node() {
    return node;
  }

  /** The path of a field. */
  public String path(String key) {
    return Paths.child(path, key);
  }

  /** Whether the field is present (not null). */
  public boolean has(String key) {
    known.add(key);
    Node n = node.fields().get(key);
    return n != null && n.kind() != Node.Kind.NULL;
  }

  /** The field's node (null when absent or null); marks the key known. */
  public Node raw(String key) {
    known.add(key);
    Node n = node.fields().get(key);
    return n == null || n.kind() == Node.Kind.NULL ? null : n;
  }

  private <T> Val<T> absentOrInvalid(String key, Node n) {
    return new Val<>(path(key), n, null, n != null);
  }

  private <T> Val<T> wrong(String key, Node n, String expected) {
    ctx.error(n, path(key), n.render() + " (expected: " + expected + ")");
    return new Val<>(path(key), n, null, true);
  }

  /** A string; numbers and booleans are taken as written. */
  public Val<String> string(String key) {
    Node n = raw(key);
    if (n == null || n.kind() == Node.Kind.INVALID) {
      return absentOrInvalid(key, n);
    }
    if (!n.isScalar()) {
      return wrong(key, n, "a string");
    }
    return new Val<>(path(key), n, n.text(), false);
  }

  /** A whole number. With {@code lenient}, a string holding one is accepted too (ALB's attribute values are strings). */
  public Val<Long> integer(String key, boolean lenient, String expected) {
    Node n = raw(key);
    if (n == null || n.kind() == Node.Kind.INVALID) {
      return absentOrInvalid(key, n);
    }
    if (n.kind() == Node.Kind.INTEGER) {
      return new Val<>(path(key), n, (Long) n.value(), false);
    }
    if (lenient && n.kind() == Node.Kind.STRING) {
      try {
        return new Val<>(path(key), n, Long.parseLong(((String) n.value()).trim()), false);
      } catch (NumberFormatException e) {
        return wrong(key, n, expected);
      }
    }
    return wrong(key, n, expected);
  }

  /** A whole number (strict). */
  public Val<Long> integer(String key, String expected) {
    return integer(key, false, expected);
  }

  /** Any number (strict). */
  public Val<BigDecimal> number(String key, String expected) {
    Node n = raw(key);
    if (n == null || n.kind() == Node.Kind.INVALID) {
      return absentOrInvalid(key, n);
    }
    if (n.kind() == Node.Kind.INTEGER) {
      return new Val<>(path(key), n, BigDecimal.valueOf((Long) n.value()), false);
    }
    if (n.kind() == Node.Kind.DECIMAL) {
      return new Val<>(path(key), n, (BigDecimal) n.value(), false);
    }
    return wrong(key, n, expected);
  }

  /** {@code true} or {@code false}; with {@code lenient}, also the strings {@code "true"} and {@code "false"}. */
  public Val<Boolean> bool(String key, boolean lenient) {
    Node n = raw(key);
    if (n == null || n.kind() == Node.Kind.INVALID) {
      return absentOrInvalid(key, n);
    }
    if (n.kind() == Node.Kind.BOOLEAN) {
      return new Val<>(path(key), n, (Boolean) n.value(), false);
    }
    if (lenient && n.kind() == Node.Kind.STRING && (n.value().equals("true") || n.value().equals("false"))) {
      return new Val<>(path(key), n, Boolean.valueOf((String) n.value()), false);
    }
    return wrong(key, n, "true or false");
  }

  /** {@code true} or {@code false} (strict). */
  public Val<Boolean> bool(String key) {
    return bool(key, false);
  }

  /** One of the allowed strings, exactly (with a "did you mean" when close). */
  public Val<String> choice(String key, Collection<String> allowed) {
    Val<String> v = string(key);
    if (!v.present()) {
      return v;
    }
    if (!allowed.contains(v.value())) {
      ctx.error(v.node(), v.path(), v.render() + " (expected: one of " + String.join(", ", allowed)
          + Names.suggestion(v.value(), allowed) + ")");
      return new Val<>(v.path(), v.node(), null, true);
    }
    return v;
  }

  /** A nested object, or null (absent, or reported as the wrong type). */
  public Obj object(String key) {
    return of(ctx, path(key), raw(key));
  }

  /** The items of a list, or null (absent, or reported as the wrong type). */
  public List<Node> list(String key) {
    Node n = raw(key);
    if (n == null || n.kind() == Node.Kind.INVALID) {
      return null;
    }
    if (n.kind() != Node.Kind.ARRAY) {
      wrong(key, n, "a list");
      return null;
    }
    return n.items();
  }

  /** The strings of a list of scalars; wrong items are reported and skipped. */
  public List<Val<String>> strings(String key) {
    List<Node> items = list(key);
    if (items == null) {
      return null;
    }
    List<Val<String>> out = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      Node n = items.get(i);
      String p = Paths.item(path(key), i);
      if (n.kind() == Node.Kind.INVALID) {
        continue;
      }
      if (!n.isScalar()) {
        ctx.error(n, p, n.render() + " (expected: a string)");
        continue;
      }
      out.add(new Val<>(p, n, n.text(), false));
    }
    return out;
  }

  /** Reports a required field that is absent (nothing when it was present but invalid). */
  public <T> Val<T> require(Val<T> v, String expected) {
    if (v.node() == null) {
      missing(v.path(), expected);
    }
    return v;
  }

  /** Reports a missing field at this object's position. */
  public void missing(String fieldPath, String expected) {
    ctx.error(node, fieldPath, "missing (expected: " + expected + ")");
  }

  /** Reports every key that was never asked for. */
  public void rejectUnknown() {
    for (Map.Entry<String, Node.Key> e : node.keys().entrySet()) {
      if (!known.contains(e.getKey())) {
        Node.Key k = e.getValue();
        ctx.error(k.line(), k.column(), path(e.getKey()), "unknown field (expected: one of "
            + String.join(", ", known) + Names.suggestion(e.getKey(), known) + ")");
      }
    }
  }
}
