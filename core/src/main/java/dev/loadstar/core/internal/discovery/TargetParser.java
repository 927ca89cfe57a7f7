package dev.loadstar.core.internal.discovery;

import dev.loadstar.core.config.Params;
import dev.loadstar.core.Target;
import dev.loadstar.core.config.Checks;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads targets from configuration values: {@code "host:port"} (IPv6 in brackets) or an object with
 * {@code host}, {@code port} and optionally {@code id} (default {@code host:port}), {@code weight}, {@code zone}
 * and {@code metadata}.
 */
public final class TargetParser {

  private static final String EXPECTED_ENTRY = "\"host:port\" or an object with host and port";

  private TargetParser() {
  }

  /**
   * Reads a list of targets; an entry's errors are prefixed with {@code path[i].}. Ids and addresses must be
   * unique within the list. Fails with an {@link InvalidTargetException} naming the entry.
   */
  public static List<Target> parseList(List<?> entries, String path) {
    List<Target> out = new ArrayList<>(entries.size());
    Map<String, Integer> ids = new HashMap<>();
    Map<String, Integer> addresses = new HashMap<>();
    for (int i = 0; i < entries.size(); i++) {
      String at = path + "[" + i + "]";
      Target t;
      try {
        t = parse(entries.get(i), at);
      } catch (IllegalArgumentException | NullPointerException e) {
        throw new InvalidTargetException(i, e.getMessage(), e);
      }
      Integer sameId = ids.putIfAbsent(t.id(), i);
      if (sameId != null) {
        throw new InvalidTargetException(i, Checks.invalid(at + ".id", Params.render(t.id()),
            "an id not used by " + path + "[" + sameId + "]").getMessage(), null);
      }
      Integer sameAddress = addresses.putIfAbsent(t.address(), i);
      if (sameAddress != null) {
        throw new InvalidTargetException(i, Checks.invalid(at, Params.render(t.address()),
            "an address not used by " + path + "[" + sameAddress + "]").getMessage(), null);
      }
      out.add(t);
    }
    return out;
  }

  /** Reads one target; errors are prefixed with {@code path.}. */
  public static Target parse(Object entry, String path) {
    if (entry instanceof String s) {
      return parseAddress(s, path);
    }
    if (!(entry instanceof JsonObject o)) {
      throw Checks.invalid(path, Params.render(entry), EXPECTED_ENTRY);
    }
    try {
      Params p = new Params(o);
      String host = p.string("host");
      Integer port = p.integer("port");
      String id = p.string("id");
      Integer weight = p.integer("weight");
      String zone = p.string("zone");
      JsonObject metadata = p.object("metadata");
      p.rejectUnknown();
      Checks.notBlank("host", host);
      if (port == null) {
        throw Checks.invalid("port", "null", "1-65535");
      }
      Checks.range("port", port, 1, 65535);
      String address = Target.of("probe", host, port).address();
      Target.Builder b = Target.builder(id != null ? id : address, host, port);
      if (weight != null) {
        b.weight(weight);
      }
      b.zone(zone);
      if (metadata != null) {
        for (Map.Entry<String, Object> e : metadata) {
          Object v = e.getValue();
          if (v instanceof JsonObject || v instanceof JsonArray || v == null) {
            throw Checks.invalid("metadata." + e.getKey(), Params.render(v), "a string, number or boolean");
          }
          b.metadata(e.getKey(), String.valueOf(v));
        }
      }
      return b.build();
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new IllegalArgumentException(path + "." + e.getMessage(), e);
    }
  }

  private static Target parseAddress(String s, String path) {
    String host;
    String portText;
    String t = s.trim();
    if (t.startsWith("[")) {
      int close = t.indexOf("]:");
      if (close < 0) {
        throw Checks.invalid(path, Params.render(s), EXPECTED_ENTRY);
      }
      host = t.substring(1, close);
      portText = t.substring(close + 2);
    } else {
      int colon = t.lastIndexOf(':');
      if (colon <= 0 || t.indexOf(':') != colon) {
        throw Checks.invalid(path, Params.render(s), EXPECTED_ENTRY);
      }
      host = t.substring(0, colon);
      portText = t.substring(colon + 1);
    }
    int port;
    try {
      port = Integer.parseInt(portText);
    } catch (NumberFormatException e) {
      throw Checks.invalid(path, Params.render(s), EXPECTED_ENTRY);
    }
    try {
      Checks.notBlank("host", host);
      Checks.range("port", port, 1, 65535);
      Target probe = Target.of("probe", host, port);
      return Target.of(probe.address(), host, port);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(path + "." + e.getMessage(), e);
    }
  }
}
