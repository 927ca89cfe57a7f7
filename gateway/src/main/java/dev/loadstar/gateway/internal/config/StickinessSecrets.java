package dev.loadstar.gateway.internal.config;

import dev.loadstar.core.StickinessKeys;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Binds {@code stickinessSecrets}: each at least {@value StickinessKeys#MIN_KEY_BYTES} bytes, not a published
 * example or placeholder, and not guessable (an estimate of at least {@value #MIN_ENTROPY_BITS} bits from its
 * characters' frequencies). A secret never appears in a message: only its length does.
 */
final class StickinessSecrets {

  /** The least estimated entropy of a secret, in bits. */
  static final int MIN_ENTROPY_BITS = 48;

  /** Placeholders from examples and documentation: a secret anyone can read forges every sticky cookie. */
  private static final Set<String> EXAMPLES = Set.of("change-me-to-a-long-random-secret", "change-me", "changeme",
      "change-this-secret", "replace-me", "replace-with-a-long-random-secret", "secret", "my-secret", "mysecret",
      "password", "example", "example-secret", "not-a-secret", "insecure", "test-secret", "default",
      "0123456789abcdef", "0123456789abcdef0123456789abcdef", "abcdefghijklmnop", "your-secret-here");

  private StickinessSecrets() {
  }

  /** The keys the secrets make, or null when there are none or any is refused (reported). */
  static StickinessKeys keys(Context ctx, List<Val<String>> secrets) {
    if (secrets == null || secrets.isEmpty()) {
      return null;
    }
    boolean ok = true;
    for (Val<String> s : secrets) {
      ok &= check(ctx, s);
    }
    return ok ? StickinessKeys.of(secrets.stream().map(Val::value).toArray(String[]::new)) : null;
  }

  private static boolean check(Context ctx, Val<String> s) {
    String secret = s.value();
    int bytes = secret.getBytes(StandardCharsets.UTF_8).length;
    String shown = s.node().fromEnvironment() ? s.render() + " <" + bytes + " bytes>" : "<" + bytes + " bytes>";
    String how = "; set it from the environment, e.g. ${env:STICKINESS_SECRET} with the output of "
        + "`head -c 32 /dev/urandom | base64`";
    if (bytes < StickinessKeys.MIN_KEY_BYTES) {
      ctx.error(s.node(), s.path(), shown + " (expected: at least " + StickinessKeys.MIN_KEY_BYTES + " bytes" + how
          + ")");
      return false;
    }
    if (EXAMPLES.contains(secret.toLowerCase(Locale.ROOT).trim())) {
      ctx.error(s.node(), s.path(), shown + " (expected: a secret of your own, not an example's placeholder" + how
          + ")");
      return false;
    }
    if (entropyBits(secret) < MIN_ENTROPY_BITS) {
      ctx.error(s.node(), s.path(), shown + " (expected: a random secret, at least " + MIN_ENTROPY_BITS
          + " bits by its characters' frequencies; this one repeats too few characters" + how + ")");
      return false;
    }
    return true;
  }

  /** Shannon entropy of the characters times the length: a rough upper bound of what guessing it costs. */
  static double entropyBits(String s) {
    Map<Integer, Integer> counts = new HashMap<>();
    s.codePoints().forEach(c -> counts.merge(c, 1, Integer::sum));
    int n = (int) s.codePoints().count();
    double h = 0;
    for (int c : counts.values()) {
      double p = (double) c / n;
      h -= p * Math.log(p) / Math.log(2);
    }
    return h * n;
  }
}
