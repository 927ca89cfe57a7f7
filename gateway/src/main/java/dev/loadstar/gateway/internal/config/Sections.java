package dev.loadstar.gateway.internal.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The sections of a configuration document in a canonical text (keys sorted, values as resolved), keyed by what a
 * reload compares: {@code admin}, {@code zone}, {@code stickinessSecrets}, {@code scalingGroups},
 * {@code listener:<name>} (its settings without {@code rules} and {@code defaultActions}),
 * {@code listener-rules:<name>} (those two), {@code group:<name>} (its
 * settings without targets, health checks and discovery), {@code group-health:<name>}, {@code group-discovery:<name>}
 * and {@code target:<group>/<id>}. Two documents whose section texts are equal configure that part the same way.
 */
public final class Sections {

  private static final Set<String> LISTENER_CHILDREN = Set.of("rules", "defaultActions");
  private static final Set<String> GROUP_CHILDREN = Set.of("targets", "healthCheck", "outlierDetection", "discovery");

  private Sections() {
  }

  /** The sections of a valid document. */
  public static Map<String, String> of(Node root) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String top : List.of("admin", "zone", "stickinessSecrets", "scalingGroups")) {
      out.put(top, canonical(root.fields().get(top), Set.of()));
    }
    for (Node l : items(root.fields().get("listeners"))) {
      out.put("listener:" + name(l, "name"), canonical(l, LISTENER_CHILDREN));
      out.put("listener-rules:" + name(l, "name"), canonical(l.fields().get("rules"), Set.of()) + "|"
          + canonical(l.fields().get("defaultActions"), Set.of()));
    }
    for (Node g : items(root.fields().get("targetGroups"))) {
      String name = name(g, "name");
      out.put("group:" + name, canonical(g, GROUP_CHILDREN));
      out.put("group-health:" + name, canonical(g.fields().get("healthCheck"), Set.of()) + "|"
          + canonical(g.fields().get("outlierDetection"), Set.of()));
      out.put("group-discovery:" + name, canonical(g.fields().get("discovery"), Set.of()));
      for (Node t : items(g.fields().get("targets"))) {
        out.put("target:" + name + "/" + name(t, "id"), canonical(t, Set.of()));
      }
    }
    return out;
  }

  private static List<Node> items(Node n) {
    return n == null || n.kind() != Node.Kind.ARRAY ? List.of() : n.items();
  }

  private static String name(Node obj, String key) {
    Node n = obj.fields().get(key);
    return n == null ? "" : n.text();
  }

  /** A node as canonical text, leaving out the fields named in {@code skip} (at the top level only). */
  static String canonical(Node n, Set<String> skip) {
    StringBuilder b = new StringBuilder();
    append(b, n, skip);
    return b.toString();
  }

  private static void append(StringBuilder b, Node n, Set<String> skip) {
    if (n == null || n.kind() == Node.Kind.NULL) {
      b.append("null");
      return;
    }
    switch (n.kind()) {
      case OBJECT -> {
        b.append('{');
        for (Map.Entry<String, Node> e : new TreeMap<>(n.fields()).entrySet()) {
          if (!skip.contains(e.getKey())) {
            b.append(quote(e.getKey())).append(':');
            append(b, e.getValue(), Set.of());
            b.append(',');
          }
        }
        b.append('}');
      }
      case ARRAY -> {
        b.append('[');
        for (Node i : n.items()) {
          append(b, i, Set.of());
          b.append(',');
        }
        b.append(']');
      }
      default -> b.append(quote(n.text()));
    }
  }

  private static String quote(String s) {
    return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }
}
