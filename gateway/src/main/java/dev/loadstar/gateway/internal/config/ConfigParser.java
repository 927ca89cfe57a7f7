package dev.loadstar.gateway.internal.config;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads YAML or JSON text into a {@link Node} tree that keeps every node's line and column, with Jackson's
 * streaming parsers (no object mapping, no YAML tags or constructors). String scalars may hold
 * {@code ${env:NAME}} or {@code ${env:NAME:-default}}; a scalar that is exactly one such reference takes the type of
 * its value ({@code ${env:PORT:-8080}} is a number).
 */
public final class ConfigParser {

  private static final Pattern ENV = Pattern.compile("\\$(\\$?)\\{env:([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");
  private static final Pattern INTEGER = Pattern.compile("[-+]?[0-9]+");
  private static final Pattern DECIMAL = Pattern.compile("[-+]?([0-9]+\\.[0-9]*|\\.[0-9]+|[0-9]+)([eE][-+]?[0-9]+)?");

  /** The largest configuration accepted, in characters (1 MiB of text): parsing time stays bounded. */
  public static final int MAX_CHARS = 1 << 20;

  private final Context ctx;
  private final Function<String, String> env;
  private final String text;

  private ConfigParser(Context ctx, Function<String, String> env, String text) {
    this.ctx = ctx;
    this.env = env;
    this.text = text;
  }

  /**
   * Parses {@code text} (JSON when {@code json}, else YAML); errors go to {@code ctx}. Returns the root node, or
   * null when the text could not be parsed at all.
   */
  public static Node parse(String text, boolean json, Context ctx, Function<String, String> env) {
    if (text.length() > MAX_CHARS) {
      ctx.error(1, 1, "", text.length() + " characters (expected: a configuration file of at most " + MAX_CHARS
          + " characters)");
      return null;
    }
    JsonFactory factory = json ? new JsonFactory() : new YAMLFactory();
    ConfigParser p = new ConfigParser(ctx, env, text);
    try (JsonParser parser = factory.createParser(text)) {
      JsonToken t = parser.nextToken();
      if (t == null) {
        ctx.error(1, 1, "", "the file is empty (expected: an object with listeners, targetGroups, ...)");
        return null;
      }
      Node root = p.read(parser, t, "");
      JsonToken after = parser.nextToken();
      if (after != null) {
        JsonLocation l = parser.currentTokenLocation();
        ctx.error(l.getLineNr(), l.getColumnNr(), "", "more than one document (expected: a single document)");
      }
      return root;
    } catch (JsonProcessingException e) {
      JsonLocation l = e.getLocation();
      ctx.error(l == null ? 1 : Math.max(1, l.getLineNr()), l == null ? 1 : Math.max(1, l.getColumnNr()), "",
          "syntax error: " + oneLine(e.getOriginalMessage()));
      return null;
    } catch (IOException e) {
      ctx.error(1, 1, "", "cannot read: " + e.getMessage());
      return null;
    }
  }

  /** {@code an alias *name} or {@code an anchor &name} for the current token, or null when it is neither. */
  private String anchor(YAMLParser y, JsonLocation at) throws IOException {
    if (y.isCurrentAlias()) {
      return "an alias *" + y.getText();
    }
    String a = y.getCurrentAnchor();
    long offset = at.getCharOffset();
    if (a == null && offset >= 0 && offset < text.length() && text.charAt((int) offset) == '&') {
      // the parser keeps a scalar's anchor to itself: the node starts at it
      int end = (int) offset + 1;
      while (end < text.length() && !Character.isWhitespace(text.charAt(end)) && end - offset < 128) {
        end++;
      }
      a = text.substring((int) offset + 1, end);
    }
    return a == null ? null : "an anchor &" + a;
  }

  /** A parser message on one line: SnakeYAML's source excerpts and position lines are left out. */
  private static String oneLine(String message) {
    StringBuilder b = new StringBuilder();
    for (String line : String.valueOf(message).split("\\R")) {
      if (line.isBlank() || Character.isWhitespace(line.charAt(0))) {
        continue;
      }
      if (b.length() > 0) {
        b.append("; ");
      }
      b.append(line.trim());
    }
    return b.toString();
  }

  private Node read(JsonParser parser, JsonToken t, String path) throws IOException {
    JsonLocation l = parser.currentTokenLocation();
    int line = l.getLineNr();
    int col = l.getColumnNr();
    String anchor = parser instanceof YAMLParser y ? anchor(y, l) : null;
    if (anchor != null) {
      // an alias would read as its anchor's name ("port: *p" is "p"); one copy of a value is clearer anyway
      ctx.error(line, col, path, anchor + " (expected: every value written out: YAML anchors and aliases are not "
          + "supported)");
      if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
        parser.skipChildren();
      }
      return Node.scalar(Node.Kind.INVALID, null, anchor, line, col);
    }
    switch (t) {
      case START_OBJECT: {
        LinkedHashMap<String, Node> fields = new LinkedHashMap<>();
        LinkedHashMap<String, Node.Key> keys = new LinkedHashMap<>();
        JsonToken k;
        while ((k = parser.nextToken()) == JsonToken.FIELD_NAME) {
          String name = parser.currentName();
          JsonLocation kl = parser.currentTokenLocation();
          String childPath = Paths.child(path, name);
          Node value = read(parser, parser.nextToken(), childPath);
          Node.Key first = keys.get(name);
          if (first != null) {
            ctx.error(kl.getLineNr(), kl.getColumnNr(), childPath,
                "duplicate key (expected: each key once; first at line " + first.line() + ")");
            continue;
          }
          keys.put(name, new Node.Key(name, kl.getLineNr(), kl.getColumnNr()));
          fields.put(name, value);
        }
        return Node.object(fields, keys, line, col);
      }
      case START_ARRAY: {
        List<Node> items = new ArrayList<>();
        JsonToken i;
        while ((i = parser.nextToken()) != JsonToken.END_ARRAY) {
          items.add(read(parser, i, path + "[" + items.size() + "]"));
        }
        return Node.array(items, line, col);
      }
      case VALUE_STRING:
        return string(parser.getText(), line, col, path);
      case VALUE_NUMBER_INT:
        return Node.scalar(Node.Kind.INTEGER, parser.getBigIntegerValue().longValue(), parser.getText(), line, col);
      case VALUE_NUMBER_FLOAT:
        return Node.scalar(Node.Kind.DECIMAL, new BigDecimal(parser.getText()), parser.getText(), line, col);
      case VALUE_TRUE:
        return Node.scalar(Node.Kind.BOOLEAN, Boolean.TRUE, "true", line, col);
      case VALUE_FALSE:
        return Node.scalar(Node.Kind.BOOLEAN, Boolean.FALSE, "false", line, col);
      case VALUE_NULL:
        return Node.scalar(Node.Kind.NULL, null, "null", line, col);
      default:
        ctx.error(line, col, path, "unsupported YAML construct " + t);
        return Node.scalar(Node.Kind.INVALID, null, String.valueOf(parser.getText()), line, col);
    }
  }

  private Node string(String s, int line, int col, String path) {
    if (s.indexOf("{env:") < 0) {
      return Node.scalar(Node.Kind.STRING, s, s, line, col);
    }
    Matcher m = ENV.matcher(s);
    StringBuilder out = new StringBuilder();
    boolean whole = false;
    int refs = 0;
    while (m.find()) {
      if (!m.group(1).isEmpty()) {
        m.appendReplacement(out, Matcher.quoteReplacement(m.group().substring(1)));
        continue;
      }
      refs++;
      whole = m.start() == 0 && m.end() == s.length();
      String value = env.apply(m.group(2));
      if (value == null) {
        value = m.group(3);
      }
      if (value == null) {
        ctx.error(line, col, path, "\"" + s + "\" (expected: " + m.group(2)
            + " set in the environment, or a default: ${env:" + m.group(2) + ":-value})");
        return Node.scalar(Node.Kind.INVALID, null, "\"" + s + "\"", line, col);
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    String v = out.toString();
    if (refs == 1 && whole) {
      if (INTEGER.matcher(v).matches()) {
        try {
          return Node.fromEnvironment(Node.Kind.INTEGER, Long.parseLong(v.startsWith("+") ? v.substring(1) : v), v, s,
              line, col);
        } catch (NumberFormatException e) {
          return Node.fromEnvironment(Node.Kind.STRING, v, v, s, line, col);
        }
      }
      if (DECIMAL.matcher(v).matches()) {
        return Node.fromEnvironment(Node.Kind.DECIMAL, new BigDecimal(v), v, s, line, col);
      }
      if (v.equals("true") || v.equals("false")) {
        return Node.fromEnvironment(Node.Kind.BOOLEAN, Boolean.valueOf(v), v, s, line, col);
      }
    }
    return refs == 0 ? Node.scalar(Node.Kind.STRING, v, v, line, col) : Node.fromEnvironment(Node.Kind.STRING, v, v, s,
        line, col);
  }
}
