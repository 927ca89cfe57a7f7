package dev.loadstar.core.internal.discovery;

import dev.loadstar.core.config.Params;
import dev.loadstar.core.Target;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * YAML target files (SnakeYAML, an optional dependency): composed to nodes only, never to arbitrary objects, so
 * every entry keeps its line and column.
 */
final class YamlTargetFiles {

  private YamlTargetFiles() {
  }

  static List<Target> parse(String file, String text) {
    Node root;
    try {
      LoaderOptions options = new LoaderOptions();
      options.setMaxAliasesForCollections(50);
      options.setAllowDuplicateKeys(false);
      root = new Yaml(options).compose(new StringReader(text));
    } catch (MarkedYAMLException e) {
      Mark m = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
      String problem = e.getProblem() != null ? e.getProblem() : e.getMessage();
      String context = e.getContext();
      throw new TargetFileException(file, m != null ? m.getLine() + 1 : 0, m != null ? m.getColumn() + 1 : 0,
          problem + (context != null ? " (" + context + ")" : ""), e);
    } catch (YAMLException e) {
      throw new TargetFileException(file, 0, 0, e.getMessage(), e);
    }
    if (root == null) {
      throw new TargetFileException(file, 0, 0, "the file is empty (expected: " + TargetFiles.EXPECTED_DOCUMENT
          + ")", null);
    }
    SequenceNode list;
    String path;
    if (root instanceof SequenceNode s) {
      list = s;
      path = "";
    } else if (root instanceof MappingNode m) {
      list = null;
      for (NodeTuple t : m.getValue()) {
        Object key = value(file, t.getKeyNode());
        if (!"targets".equals(key)) {
          throw at(file, t.getKeyNode(), key + ": " + Params.render(value(file, t.getValueNode()))
              + " (expected: only a targets key)");
        }
        if (!(t.getValueNode() instanceof SequenceNode s)) {
          throw at(file, t.getValueNode(), "targets: " + Params.render(value(file, t.getValueNode()))
              + " (expected: a list of targets)");
        }
        list = s;
      }
      if (list == null) {
        throw at(file, root, "{} (expected: " + TargetFiles.EXPECTED_DOCUMENT + ")");
      }
      path = "targets";
    } else {
      throw at(file, root, Params.render(value(file, root)) + " (expected: " + TargetFiles.EXPECTED_DOCUMENT + ")");
    }
    List<Object> entries = new ArrayList<>();
    List<int[]> positions = new ArrayList<>();
    for (Node n : list.getValue()) {
      Mark m = n.getStartMark();
      positions.add(new int[] {m != null ? m.getLine() + 1 : 0, m != null ? m.getColumn() + 1 : 0});
      entries.add(value(file, n));
    }
    return new TargetFiles.Located(entries, positions, path).targets(file);
  }

  /** A node as Vert.x JSON types; scalars take the type YAML's resolver gave them. */
  private static Object value(String file, Node node) {
    if (node instanceof MappingNode m) {
      JsonObject o = new JsonObject();
      Set<String> keys = new HashSet<>();
      for (NodeTuple t : m.getValue()) {
        Object key = value(file, t.getKeyNode());
        if (!(key instanceof String) && !(key instanceof Number) && !(key instanceof Boolean)) {
          throw at(file, t.getKeyNode(), Params.render(key) + " (expected: a plain key)");
        }
        String k = String.valueOf(key);
        if (!keys.add(k)) {
          throw at(file, t.getKeyNode(), k + ": duplicate key");
        }
        o.put(k, value(file, t.getValueNode()));
      }
      return o;
    }
    if (node instanceof SequenceNode s) {
      JsonArray a = new JsonArray();
      for (Node n : s.getValue()) {
        a.add(value(file, n));
      }
      return a;
    }
    ScalarNode scalar = (ScalarNode) node;
    String text = scalar.getValue();
    Tag tag = scalar.getTag();
    try {
      if (Tag.INT.equals(tag)) {
        return Long.parseLong(text.replace("_", ""));
      }
      if (Tag.FLOAT.equals(tag)) {
        return Double.parseDouble(text.replace("_", ""));
      }
    } catch (NumberFormatException e) {
      return text;
    }
    if (Tag.BOOL.equals(tag)) {
      String t = text.toLowerCase(java.util.Locale.ROOT);
      return t.equals("true") || t.equals("yes") || t.equals("on") || t.equals("y");
    }
    if (Tag.NULL.equals(tag)) {
      return null;
    }
    return text;
  }

  private static TargetFileException at(String file, Node node, String message) {
    Mark m = node.getStartMark();
    return new TargetFileException(file, m != null ? m.getLine() + 1 : 0, m != null ? m.getColumn() + 1 : 0,
        message, null);
  }
}
