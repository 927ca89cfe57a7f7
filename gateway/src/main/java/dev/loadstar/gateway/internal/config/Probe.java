package dev.loadstar.gateway.internal.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds one library object (a health check, a target group config, ...) from configuration fields and reports
 * every bad field, not only the first: the library builders validate and throw on the first bad value, so the
 * probe builds, maps the failing name ({@code HealthCheckIntervalSeconds: 3 (expected: ...)}) back to its
 * configuration field, reports it with the field's path and value, leaves the field out (the default applies) and
 * builds again, until the build succeeds. An error that mentions a field already left out is a consequence of
 * that, not a problem of its own, and is not reported.
 *
 * @param <B> the builder (or draft) type
 * @param <T> the built type
 */
public final class Probe<B, T> {

  private static final Pattern ONE_OF = Pattern.compile("expected: one of ([^;()]+)\\)$");
  private static final Pattern ISO_DURATION = Pattern.compile("\\bPT[0-9.HMS]+\\b");

  private record Setting<B>(String libName, Val<?> field, BiConsumer<B, Object> apply, boolean secret,
      Object fallback) {
  }

  private final Context ctx;
  private final String objectPath;
  private final Node objectNode;
  private final Supplier<B> newBuilder;
  private final Function<B, T> build;
  private final Map<String, String> vocabulary = new LinkedHashMap<>();
  private final List<Setting<B>> settings = new ArrayList<>();
  private final List<Setting<B>> fallbacks = new ArrayList<>();
  private final Set<String> removed = new HashSet<>();
  private boolean failed;

  /** A probe for the object at {@code objectPath}. */
  public Probe(Context ctx, String objectPath, Node objectNode, Supplier<B> newBuilder, Function<B, T> build) {
    this.ctx = ctx;
    this.objectPath = objectPath;
    this.objectNode = objectNode;
    this.newBuilder = newBuilder;
    this.build = build;
  }

  /** Rewrites a library word in messages (e.g. {@code embedded(true)} to {@code embedded: true}). */
  public Probe<B, T> word(String library, String config) {
    vocabulary.put(library, config);
    return this;
  }

  /** Sets a field through the builder when it has a value; {@code libName} is how the library names it. */
  @SuppressWarnings("unchecked")
  public <V> Probe<B, T> set(String libName, Val<V> field, BiConsumer<B, V> setter) {
    return add(libName, field, (BiConsumer<B, Object>) setter, false, null);
  }

  /**
   * As {@link #set}, with a value applied instead when the field is invalid, so that checks of the other fields
   * that depend on it (e.g. {@code desiredCapacity <= maxSize}) do not fail because of it.
   */
  @SuppressWarnings("unchecked")
  public <V> Probe<B, T> set(String libName, Val<V> field, BiConsumer<B, V> setter, V fallback) {
    return add(libName, field, (BiConsumer<B, Object>) setter, false, fallback);
  }

  /** As {@link #set}, for a value that must never appear in a message. */
  @SuppressWarnings("unchecked")
  public <V> Probe<B, T> setSecret(String libName, Val<V> field, BiConsumer<B, V> setter) {
    return add(libName, field, (BiConsumer<B, Object>) setter, true, null);
  }

  /** Marks the object as failed already (a required field is missing): {@link #build()} only checks the others. */
  public Probe<B, T> fail() {
    failed = true;
    return this;
  }

  private Probe<B, T> add(String libName, Val<?> field, BiConsumer<B, Object> apply, boolean secret,
      Object fallback) {
    vocabulary.putIfAbsent(libName, leaf(field.path()));
    Setting<B> s = new Setting<>(libName, field, apply, secret, fallback);
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
      removed.add(s.libName());
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
      } catch (IllegalArgumentException | NullPointerException | IllegalStateException e) {
        String msg = String.valueOf(e.getMessage());
        int colon = msg.indexOf(": ");
        String name = colon < 0 ? "" : msg.substring(0, colon);
        String detail = colon < 0 ? msg : msg.substring(colon + 2);
        Setting<B> s = culprit != null ? culprit : match(active, name);
        anyError = true;
        if (s == null) {
          if (!mentionsRemoved(msg) && !failed) {
            ctx.error(objectNode, objectPath, rewrite(colon < 0 ? msg : name + ": " + detail));
          }
          return null;
        }
        String suffix = name.startsWith(s.libName()) ? name.substring(s.libName().length()) : "";
        if (!mentionsRemoved(detail)) {
          report(s, suffix, detail);
        }
        active.remove(s);
        removed(s);
      }
    }
    return null;
  }

  private Setting<B> match(List<Setting<B>> active, String name) {
    Setting<B> best = null;
    for (Setting<B> s : active) {
      String n = s.libName();
      boolean exact = n.equals(name);
      boolean prefix = name.startsWith(n) && name.length() > n.length()
          && (name.charAt(n.length()) == '.' || name.charAt(n.length()) == '[');
      if (exact) {
        return s;
      }
      if (prefix && (best == null || n.length() > best.libName().length())) {
        best = s;
      }
    }
    return best;
  }

  private boolean mentionsRemoved(String text) {
    for (String r : removed) {
      if (Pattern.compile("(^|[^A-Za-z0-9_.])" + Pattern.quote(r) + "($|[^A-Za-z0-9_])").matcher(text).find()) {
        return true;
      }
    }
    return false;
  }

  private void report(Setting<B> s, String suffix, String detail) {
    int exp = detail.indexOf(" (expected: ");
    String expected = exp < 0 ? detail : detail.substring(exp);
    String value;
    if (s.secret()) {
      value = exp < 0 ? "" : detail.substring(0, exp).startsWith("<") ? detail.substring(0, exp) : "(hidden)";
    } else if (!suffix.isEmpty()) {
      value = exp < 0 ? "" : detail.substring(0, exp);
    } else {
      value = s.field().render();
    }
    String path = s.field().path() + rewrite(suffix);
    Node at = s.field().node();
    String hint = "";
    Matcher oneOf = ONE_OF.matcher(expected);
    if (oneOf.find() && s.field().value() instanceof String given) {
      hint = Names.suggestion(given, List.of(oneOf.group(1).split(", ")));
    }
    String shown = rewrite(expected);
    if (!hint.isEmpty() && shown.endsWith(")")) {
      shown = shown.substring(0, shown.length() - 1) + hint + ")";
    }
    ctx.error(at, path, exp < 0 ? rewrite(detail) : value + shown);
  }

  private String rewrite(String text) {
    String out = text;
    for (Map.Entry<String, String> e : vocabulary.entrySet()) {
      if (!e.getKey().equals(e.getValue())) {
        out = out.replaceAll("(^|[^A-Za-z0-9_.])" + Pattern.quote(e.getKey()) + "($|[^A-Za-z0-9_])",
            "$1" + Matcher.quoteReplacement(e.getValue()) + "$2");
      }
    }
    Matcher m = ISO_DURATION.matcher(out);
    StringBuilder b = new StringBuilder();
    while (m.find()) {
      String replacement;
      try {
        Duration d = Duration.parse(m.group());
        replacement = seconds(d);
      } catch (DateTimeParseException ex) {
        replacement = m.group();
      }
      m.appendReplacement(b, Matcher.quoteReplacement(replacement));
    }
    m.appendTail(b);
    return b.toString();
  }

  /** A duration as a plain number of seconds, e.g. {@code 0.5} or {@code 300}. */
  public static String seconds(Duration d) {
    return BigDecimal.valueOf(d.getSeconds()).add(BigDecimal.valueOf(d.getNano(), 9)).stripTrailingZeros()
        .toPlainString();
  }
}
