package dev.loadstar.gateway.internal.config;

import dev.loadstar.core.config.InvalidValueException;
import dev.loadstar.core.discovery.DiscoveryConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;

/** Binds a target group's {@code discovery}: handed to core's DiscoveryConfig, its refusals mapped to positions. */
final class DiscoveryBinder {

  private final Scope s;
  private final Context ctx;

  DiscoveryBinder(Scope s) {
    this.s = s;
    this.ctx = s.ctx();
  }

  DiscoveryConfig discovery(Obj group) {
    Node n = group.raw("discovery");
    if (n == null || n.kind() == Node.Kind.INVALID) {
      return null;
    }
    String path = group.path("discovery");
    if (n.kind() != Node.Kind.OBJECT) {
      ctx.error(n, path, n.render() + " (expected: an object with sources)");
      return null;
    }
    try {
      return DiscoveryConfig.fromJson((JsonObject) toJson(n));
    } catch (InvalidValueException e) {
      Node at = locate(n, e.field());
      String value = at.fromEnvironment() ? at.render() : e.value();
      ctx.error(at, path + "." + e.field(), value + " (expected: " + e.expected() + ")");
      return null;
    } catch (IllegalArgumentException | NullPointerException e) {
      ctx.error(n, path, String.valueOf(e.getMessage()));
      return null;
    }
  }

  /** The node at a relative path such as {@code sources[1].port}, or the closest ancestor found. */
  private static Node locate(Node from, String relative) {
    Node cur = from;
    int i = 0;
    while (i < relative.length()) {
      char c = relative.charAt(i);
      Node next = null;
      if (c == '.') {
        i++;
        continue;
      }
      if (c == '[') {
        int end = relative.indexOf(']', i);
        if (end < 0) {
          return cur;
        }
        String index = relative.substring(i + 1, end);
        if (cur.kind() == Node.Kind.ARRAY && !index.isEmpty() && index.chars().allMatch(Character::isDigit)
            && index.length() < 9 && Integer.parseInt(index) < cur.items().size()) {
          next = cur.items().get(Integer.parseInt(index));
        }
        i = end + 1;
      } else {
        int end = i;
        while (end < relative.length() && relative.charAt(end) != '.' && relative.charAt(end) != '[') {
          end++;
        }
        if (cur.kind() == Node.Kind.OBJECT) {
          next = cur.fields().get(relative.substring(i, end));
        }
        i = end;
      }
      if (next == null) {
        return cur;
      }
      cur = next;
    }
    return cur;
  }

  private static Object toJson(Node n) {
    switch (n.kind()) {
      case OBJECT: {
        JsonObject o = new JsonObject();
        n.fields().forEach((k, v) -> o.put(k, toJson(v)));
        return o;
      }
      case ARRAY: {
        JsonArray a = new JsonArray();
        n.items().forEach(i -> a.add(toJson(i)));
        return a;
      }
      case DECIMAL:
        return ((BigDecimal) n.value()).doubleValue();
      default:
        return n.value();
    }
  }
}
