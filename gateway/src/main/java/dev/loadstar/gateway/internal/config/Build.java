package dev.loadstar.gateway.internal.config;

import dev.loadstar.core.config.InvalidValueException;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Builds one library object (a health check, a target group config, ...) from configuration fields and reports
 * every bad field, not only the first. The library builders throw an {@link InvalidValueException} on the first bad
 * value; its {@link InvalidValueException#field() field} is the Java name a {@link #set} call registered, so the
 * error goes to that field's position and path with the value as the file wrote it; the field is left out (the
 * default applies) and the build runs again, until it succeeds. A refusal whose {@code expected} names a field left
 * out already is a consequence of that, not a problem of its own, and is not reported. Java names in
 * {@code expected} are translated to the configuration's names.
 *
 * @param <B> the builder (or draft) type
 * @param <T> the built type
 */
public final class Build<B, T> {

  private record Setting<B>(String javaName, Val<?> field, BiConsumer<B, Object> apply, boolean secret,
      Object fallback) {
  }

  private final Context ctx;
  private final String objectPath;
  private final Node objectNode;
  private final Supplier<B> newBuilder;
  private final Function<B, T> build;
  private final Map<String, String> names = new LinkedHashMap<>();
  private final List<Setting<B>> settings = new ArrayList<>();
  private final List<Setting<B>> fallbacks = new ArrayList<>();
  private final Set<String> removed = new HashSet<>();
  private boolean failed;

  /** A build of the object at {@code objectPath}. */
  public Build(Context ctx, String objectPath, Node objectNode, Supplier<B> newBuilder, Function<B, T> build) {
    this.ctx = ctx;
    this.objectPath = objectPath;
    this.objectNode = objectNode;
    this.newBuilder = newBuilder;
    this.build = build;
  }

  /** Translates a Java word in {@code expected} texts (e.g. {@code embedded(true)} to {@code embedded: true}). */
  public Build<B, T> word(String java, String config) {
    names.put(java, config);
    return this;
  }

  /** Sets a field through the builder when it has a value; {@code javaName} is how the builder names it. */
  @SuppressWarnings("unchecked")
  public <V> Build<B, T> set(String javaName, Val<V> field, BiConsumer<B, V> setter) {
    return add(javaName, field, (BiConsumer<B, Object>) setter, false, null);
  }

  /**
   * As {@link #set}, with a value applied instead when the field is invalid, so that checks of the other fields
   * that depend on it (e.g. {@code desiredCapacity <= maxSize}) do not fail because of it.
   */
  @SuppressWarnings("unchecked")
  public <V> Build<B, T> set(String javaName, Val<V> field, BiConsumer<B, V> setter, V fallback) {
    return add(javaName, field, (BiConsumer<B, Object>) setter, false, fallback);
  }

  /** As {@link #set}, for a value that must never appear in a message. */
  @SuppressWarnings("unchecked")
  public <V> Build<B, T> setSecret(String javaName, Val<V> field, BiConsumer<B, V> setter) {
    return add(javaName, field, (BiConsumer<B, Object>) setter, true, null);
  }

  /** Marks the object as failed already (a required field is missing): {@link #build()} only checks the others. */
  public Build<B, T> fail() {
    failed = true;
    return this;
  }

  private Build<B, T> add(String javaName, Val<?> field, BiConsumer<B, Object> apply, boolean secret,
      Object fallback) {
    names.putIfAbsent(javaName, leaf(field.path()));
    Setting<B> s = new Setting<>(javaName, field, apply, secret, fallback);
    if (field.invalid()) {
      removed(s);
    } else if (field.present()) {
      settings.add(s);
    }
    return this;
  }

  private void removed(Setting<B> s) {
    if (s.fallback() != null) {
      fallbacks.add(s);
    } else {
      removed.add(s.javaName());
    }
  }

  private String leaf(String path) {
    if (!objectPath.isEmpty() && path.startsWith(objectPath + ".")) {
      return path.substring(objectPath.length() + 1);
    }
    int dot = path.lastIndexOf('.');
    return dot < 0 ? path : path.substring(dot + 1);
  }

  /** Builds, reporting every bad field; null when anything was wrong (including invalid fields seen before). */
  public T build() {
    boolean anyError = failed || !removed.isEmpty();
    List<Setting<B>> active = new ArrayList<>(settings);
    for (int round = 0; round <= settings.size() + 1; round++) {
      B b = newBuilder.get();
      for (Setting<B> f : fallbacks) {
        f.apply().accept(b, f.fallback());
      }
      Setting<B> culprit = null;
      try {
        for (Setting<B> s : active) {
          culprit = s;
          s.apply().accept(b, s.field().value());
        }
        culprit = null;
        T t = build.apply(b);
        return anyError ? null : t;
      } catch (InvalidValueException e) {
        anyError = true;
        Setting<B> s = match(active, e.field());
        if (s == null) {
          s = culprit;
        }
        if (s == null) {
          if (!mentionsRemoved(e.expected()) && !failed) {
            ctx.error(objectNode, objectPath, translate(e.field()) + ": " + e.value() + " (expected: "
                + translate(e.expected()) + ")");
          }
          return null;
        }
        if (!mentionsRemoved(e.expected())) {
          report(s, e);
        }
        active.remove(s);
        removed(s);
      } catch (IllegalArgumentException | NullPointerException | IllegalStateException e) {
        // a refusal without structure (a missing argument): the object's position, the builder's words
        anyError = true;
        Setting<B> s = culprit;
        if (s != null) {
          ctx.error(s.field().node(), s.field().path(), s.secret() ? "(hidden) (expected: a valid value)"
              : translate(String.valueOf(e.getMessage())));
          active.remove(s);
          removed(s);
          continue;
        }
        if (!failed) {
          ctx.error(objectNode, objectPath, translate(String.valueOf(e.getMessage())));
        }
        return null;
      }
    }
    return null;
  }

  /** The setting a refused field belongs to: its own name, or the longest name it is nested in. */
  private Setting<B> match(List<Setting<B>> active, String field) {
    Setting<B> best = null;
    for (Setting<B> s : active) {
      String n = s.javaName();
      if (n.equals(field)) {
        return s;
      }
      boolean nested = field.startsWith(n) && field.length() > n.length()
          && (field.charAt(n.length()) == '.' || field.charAt(n.length()) == '[');
      if (nested && (best == null || n.length() > best.javaName().length())) {
        best = s;
      }
    }
    return best;
  }

  private boolean mentionsRemoved(String text) {
    for (String r : removed) {
      if (Words.contains(text, r)) {
        return true;
      }
    }
    return false;
  }

  private void report(Setting<B> s, InvalidValueException e) {
    String suffix = e.field().substring(Math.min(s.javaName().length(), e.field().length()));
    String value;
    if (s.secret()) {
      value = e.value().startsWith("<") ? e.value() : "(hidden)";
    } else if (!suffix.isEmpty() && !s.field().node().fromEnvironment()) {
      value = e.value();
    } else {
      value = s.field().render();
    }
    String expected = translate(e.expected());
    if (s.field().value() instanceof String given && expected.startsWith("one of ")) {
      expected += Names.suggestion(given, List.of(expected.substring(7).split(", ")));
    }
    ctx.error(s.field().node(), s.field().path() + translate(suffix), value + " (expected: " + expected + ")");
  }

  private String translate(String text) {
    String out = text;
    for (Map.Entry<String, String> e : names.entrySet()) {
      if (!e.getKey().equals(e.getValue())) {
        out = Words.replace(out, e.getKey(), e.getValue());
      }
    }
    return Words.isoDurationsAsSeconds(out);
  }

  /** A duration as a plain number of seconds, e.g. {@code 0.5} or {@code 300}. */
  public static String seconds(Duration d) {
    return BigDecimal.valueOf(d.getSeconds()).add(BigDecimal.valueOf(d.getNano(), 9)).stripTrailingZeros()
        .toPlainString();
  }

  /** Whole-word search and replace in builder texts, and ISO-8601 durations shown as seconds (no regular expressions). */
  static final class Words {
    private Words() {
    }

    private static boolean wordBefore(char c) {
      return Character.isLetterOrDigit(c) || c == '_' || c == '.';
    }

    private static boolean wordAfter(char c) {
      return Character.isLetterOrDigit(c) || c == '_';
    }

    private static boolean wholeAt(String text, String word, int i) {
      int end = i + word.length();
      return (i == 0 || !wordBefore(text.charAt(i - 1))) && (end == text.length() || !wordAfter(text.charAt(end)));
    }

    /** Whether {@code word} occurs in {@code text} as a whole word. */
    static boolean contains(String text, String word) {
      for (int i = text.indexOf(word); i >= 0; i = text.indexOf(word, i + 1)) {
        if (wholeAt(text, word, i)) {
          return true;
        }
      }
      return false;
    }

    /** {@code text} with every whole-word {@code word} replaced. */
    static String replace(String text, String word, String with) {
      StringBuilder b = new StringBuilder();
      int from = 0;
      for (int i = text.indexOf(word); i >= 0; i = text.indexOf(word, i + 1)) {
        if (wholeAt(text, word, i) && i >= from) {
          b.append(text, from, i).append(with);
          from = i + word.length();
        }
      }
      return b.append(text.substring(from)).toString();
    }

    /** {@code PT5S} as {@code 5}, {@code PT0.5S} as {@code 0.5}. */
    static String isoDurationsAsSeconds(String text) {
      StringBuilder b = new StringBuilder();
      int from = 0;
      for (int i = text.indexOf("PT"); i >= 0; i = text.indexOf("PT", i + 1)) {
        if (i < from || i > 0 && wordAfter(text.charAt(i - 1))) {
          continue;
        }
        int end = i + 2;
        while (end < text.length() && "0123456789.HMS".indexOf(text.charAt(end)) >= 0) {
          end++;
        }
        if (end == i + 2 || end < text.length() && wordAfter(text.charAt(end))) {
          continue;
        }
        try {
          String seconds = seconds(Duration.parse(text.substring(i, end)));
          b.append(text, from, i).append(seconds);
          from = end;
        } catch (DateTimeParseException ex) {
          // not a duration: left as written
        }
      }
      return b.append(text.substring(from)).toString();
    }
  }
}
