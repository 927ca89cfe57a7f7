package dev.loadstar.gateway.internal.admin;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/** Redacts secrets in what the admin API shows: every read answers {@value #REDACTED} in their place. */
public final class Secrets {

  /** What a secret reads as. */
  public static final String REDACTED = "***";

  /** A key naming a secret: a secret, password, passphrase, token, credential or (API, private, ...) key. */
  private static final Pattern SECRET_KEY = Pattern.compile(
      "(secret|passw|passphrase|token|credential|api[_.-]?key|private[_.-]?key|access[_.-]?key|(^|[_.-])key$|^key)");

  private Secrets() {
  }

  /** Whether a parameter with this key holds a secret: launch-template {@code env.*} values, or a secret's name. */
  public static boolean isSecret(String key) {
    String k = key.toLowerCase(Locale.ROOT);
    return k.startsWith("env.") || SECRET_KEY.matcher(k).find();
  }

  /** A copy of {@code parameters} with every secret's value replaced by {@value #REDACTED}. */
  public static Map<String, Object> redact(Map<String, ?> parameters) {
    Map<String, Object> out = new LinkedHashMap<>();
    parameters.forEach((k, v) -> out.put(k, isSecret(k) ? REDACTED : v));
    return out;
  }
}
