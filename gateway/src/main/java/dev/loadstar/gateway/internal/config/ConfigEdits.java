package dev.loadstar.gateway.internal.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * Edits of a configuration document as the admin API makes them (ALB's CreateRule, ModifyRule, DeleteRule,
 * ModifyTargetGroupAttributes, ModifyTargetGroup's health check): each returns a new root, which is then validated
 * whole by the binders, so an edit is checked exactly as the same change in the file would be.
 */
public final class ConfigEdits {

  /** A listener, rule or target group the edit names does not exist. */
  public static final class NotFound extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NotFound(String message) {
      super(message, null, false, false);
    }
  }

  private ConfigEdits() {
  }

  /** Adds {@code rule} to the listener's rules. */
  public static Node addRule(Node root, String listener, Node rule) {
    return editListener(root, listener, l -> {
      List<Node> rules = new ArrayList<>(items(l.fields().get("rules")));
      rules.add(rule);
      return with(l, "rules", Node.array(rules, l.line(), l.column()));
    });
  }

  /** Replaces the listener's rule of {@code priority} with {@code rule} (whose priority is set to the same). */
  public static Node replaceRule(Node root, String listener, long priority, Node rule) {
    return editListener(root, listener, l -> {
      List<Node> rules = new ArrayList<>(items(l.fields().get("rules")));
      int i = ruleIndex(rules, listener, priority);
      Node p = Node.scalar(Node.Kind.INTEGER, priority, Long.toString(priority), rule.line(), rule.column());
      rules.set(i, with(rule, "priority", p));
      return with(l, "rules", Node.array(rules, l.line(), l.column()));
    });
  }

  /** Removes the listener's rule of {@code priority}. */
  public static Node removeRule(Node root, String listener, long priority) {
    return editListener(root, listener, l -> {
      List<Node> rules = new ArrayList<>(items(l.fields().get("rules")));
      rules.remove(ruleIndex(rules, listener, priority));
      return with(l, "rules", Node.array(rules, l.line(), l.column()));
    });
  }

  /** Sets the given fields of the group's object {@code section} ({@code attributes}, {@code healthCheck}). */
  public static Node mergeIntoGroup(Node root, String group, String section, Node changes) {
    List<Node> groups = new ArrayList<>(items(root.fields().get("targetGroups")));
    for (int i = 0; i < groups.size(); i++) {
      Node g = groups.get(i);
      if (named(g, "name", group)) {
        Node old = g.fields().get(section);
        LinkedHashMap<String, Node> fields = new LinkedHashMap<>();
        LinkedHashMap<String, Node.Key> keys = new LinkedHashMap<>();
        if (old != null && old.kind() == Node.Kind.OBJECT) {
          fields.putAll(old.fields());
          keys.putAll(old.keys());
        }
        fields.putAll(changes.fields());
        keys.putAll(changes.keys());
        Node merged = Node.object(fields, keys, changes.line(), changes.column());
        groups.set(i, with(g, section, merged));
        return with(root, "targetGroups", Node.array(groups, root.line(), root.column()));
      }
    }
    throw new NotFound("target group \"" + group + "\" is not defined");
  }

  private interface Edit {
    Node apply(Node listener);
  }

  private static Node editListener(Node root, String listener, Edit edit) {
    List<Node> listeners = new ArrayList<>(items(root.fields().get("listeners")));
    for (int i = 0; i < listeners.size(); i++) {
      if (named(listeners.get(i), "name", listener)) {
        listeners.set(i, edit.apply(listeners.get(i)));
        return with(root, "listeners", Node.array(listeners, root.line(), root.column()));
      }
    }
    throw new NotFound("listener \"" + listener + "\" is not defined");
  }

  private static int ruleIndex(List<Node> rules, String listener, long priority) {
    for (int i = 0; i < rules.size(); i++) {
      Node p = rules.get(i).kind() == Node.Kind.OBJECT ? rules.get(i).fields().get("priority") : null;
      if (p != null && p.isScalar() && p.text().equals(Long.toString(priority))) {
        return i;
      }
    }
    throw new NotFound("listener \"" + listener + "\" has no rule with priority " + priority);
  }

  private static boolean named(Node obj, String key, String name) {
    Node n = obj.kind() == Node.Kind.OBJECT ? obj.fields().get(key) : null;
    return n != null && n.isScalar() && n.text().equals(name);
  }

  private static List<Node> items(Node n) {
    return n == null || n.kind() != Node.Kind.ARRAY ? List.of() : n.items();
  }

  /** {@code obj} with field {@code key} set to {@code value} (kept in place, or added last). */
  private static Node with(Node obj, String key, Node value) {
    LinkedHashMap<String, Node> fields = new LinkedHashMap<>(obj.fields());
    LinkedHashMap<String, Node.Key> keys = new LinkedHashMap<>(obj.keys());
    fields.put(key, value);
    keys.putIfAbsent(key, new Node.Key(key, value.line(), value.column()));
    return Node.object(fields, keys, obj.line(), obj.column());
  }
}
