package dev.loadstar.core.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Reads typed parameters out of a configuration object, remembering which names are known so that
 * {@link #rejectUnknown()} can name a misspelt one. Errors read {@code name: value (expected: ...)}.
 */
public final class Params {

  private final JsonObject json;
  private final Set<String> known = new LinkedHashSet<>();

  /** Reads from the given object ({@code null} reads as empty). */
  public Params(JsonObject json) {
    this.json = json == null ? new JsonObject() : json;
  }

  /** Marks names as known without reading them (handled elsewhere). */
  public Params known(String... names) {
    known.addAll(java.util.List.of(names));
    return this;
  }

  /** The raw value, or {@code null} when absent or null. */
  public Object raw(String name) {
    known.add(name);
    return json.getValue(name);
  }

  /** A string parameter, or {@code null}. */
  public String string(String name) {
    Object v = raw(name);
    if (v == null || v instanceof String) {
      return (String) v;
    }
    throw Checks.invalid(name, render(v), "a string");
  }

  /** An integer parameter, or {@code null}. */
  public Integer integer(String name) {
    Object v = raw(name);
    if (v == null) {
      return null;
    }
    if (v instanceof Number n) {
      double d = n.doubleValue();
      if (d == Math.rint(d) && d >= Integer.MIN_VALUE && d <= Integer.MAX_VALUE) {
        return n.intValue();
      }
    }
    throw Checks.invalid(name, render(v), "an integer");
  }

  /** A boolean parameter, or {@code null}. */
  public Boolean bool(String name) {
    Object v = raw(name);
    if (v == null || v instanceof Boolean) {
      return (Boolean) v;
    }
    throw Checks.invalid(name, render(v), "true or false");
  }

  /** A duration parameter ({@link Durations#parse}), or {@code null}. */
  public Duration duration(String name) {
    Object v = raw(name);
    return v == null ? null : Durations.parse(name, v);
  }

  /** An array parameter, or {@code null}. */
  public JsonArray array(String name) {
    Object v = raw(name);
    if (v == null || v instanceof JsonArray) {
      return (JsonArray) v;
    }
    throw Checks.invalid(name, render(v), "an array");
  }

  /** An object parameter, or {@code null}. */
  public JsonObject object(String name) {
    Object v = raw(name);
    if (v == null || v instanceof JsonObject) {
      return (JsonObject) v;
    }
    throw Checks.invalid(name, render(v), "an object");
  }

  /** Fails on the first parameter that was never asked for, listing the known ones. */
  public void rejectUnknown() {
    for (Map.Entry<String, Object> e : json) {
      if (!known.contains(e.getKey())) {
        throw Checks.invalid(e.getKey(), render(e.getValue()), "one of the parameters " + String.join(", ", known));
      }
    }
  }

  /** A value as it appears in messages: strings quoted, JSON encoded, others as is. */
  public static String render(Object v) {
    if (v instanceof String s) {
      return "\"" + s + "\"";
    }
    if (v instanceof JsonObject o) {
      return o.encode();
    }
    if (v instanceof JsonArray a) {
      return a.encode();
    }
    if (v instanceof Map<?, ?> m) {
      return new JsonObject(castMap(m)).encode();
    }
    return String.valueOf(v);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> castMap(Map<?, ?> m) {
    return (Map<String, Object>) m;
  }
}
