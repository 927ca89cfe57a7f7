package dev.loadstar.core;

import dev.loadstar.core.config.Checks;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Secrets that authenticate sticky cookies (HMAC-SHA256): the first signs new cookies, all of them verify, so a
 * key can be rotated by putting the new key first and keeping the old one for a cookie lifetime.
 */
public final class StickinessKeys {

  /** The shortest accepted secret, in bytes. */
  public static final int MIN_KEY_BYTES = 16;

  private final List<byte[]> keys;

  private StickinessKeys(List<byte[]> keys) {
    this.keys = keys;
  }

  /** Keys from secrets (UTF-8, each at least {@value #MIN_KEY_BYTES} bytes); the first one signs. */
  public static StickinessKeys of(String... secrets) {
    if (secrets == null || secrets.length == 0) {
      throw Checks.invalid("stickiness.keys", "[]", "at least one secret");
    }
    List<byte[]> list = new ArrayList<>();
    for (int i = 0; i < secrets.length; i++) {
      String s = Checks.notNull("stickiness.keys[" + i + "]", secrets[i]);
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      if (b.length < MIN_KEY_BYTES) {
        throw Checks.invalid("stickiness.keys[" + i + "]", "<" + b.length + " bytes>",
            "at least " + MIN_KEY_BYTES + " bytes");
      }
      list.add(b);
    }
    return new StickinessKeys(Collections.unmodifiableList(list));
  }

  /** A single random 32-byte key (cookies are then honoured only by this process). */
  public static StickinessKeys random() {
    byte[] b = new byte[32];
    new SecureRandom().nextBytes(b);
    return new StickinessKeys(List.of(b));
  }

  /** A seal for values of one {@code purpose} (a group name, {@code listener-group-stickiness}) under these keys. */
  public CookieSeal seal(String purpose) {
    return new dev.loadstar.core.internal.CookieCodec(keys, Checks.notNull("purpose", purpose));
  }

  /** Copies of the raw keys, signing key first. */
  public List<byte[]> keys() {
    List<byte[]> copy = new ArrayList<>(keys.size());
    for (byte[] k : keys) {
      copy.add(Arrays.copyOf(k, k.length));
    }
    return copy;
  }

  @Override
  public String toString() {
    return "StickinessKeys{" + keys.size() + " key(s)}";
  }
}
