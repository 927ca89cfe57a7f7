package dev.loadstar.core.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Deterministic authenticated encryption of (expiry, target id) for sticky cookies: SIV built from HMAC-SHA256
 * and AES-CTR. The synthetic IV is {@code HMAC(macKey, version | context | expiry | id)} truncated to 16 bytes;
 * the payload is encrypted with AES-128-CTR under that IV; decoding decrypts and recomputes the IV in constant
 * time. Keys for MAC and encryption are derived from each configured secret. Value layout (base64url, no
 * padding): {@code version(1) | iv(16) | ciphertext(8 + id bytes)}.
 */
public final class CookieCodec implements dev.loadstar.core.CookieSeal {

  private static final byte VERSION = 1;
  /** Per-thread primitives: getting a provider instance costs far more than initialising it with a key. */
  private static final ThreadLocal<Mac> MAC = ThreadLocal.withInitial(() -> {
    try {
      return Mac.getInstance("HmacSHA256");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  });
  private static final ThreadLocal<Cipher> CTR = ThreadLocal.withInitial(() -> {
    try {
      return Cipher.getInstance("AES/CTR/NoPadding");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES/CTR unavailable", e);
    }
  });
  private static final int IV_BYTES = 16;
  private static final int MAX_VALUE_CHARS = 1024;
  /** The longest lifetime a value may claim: ALB's longest stickiness duration (7 days) plus a minute of clock skew. */
  static final long MAX_LIFETIME_SECONDS = 604_800 + 60;

  private final List<SecretKeySpec> macKeys = new ArrayList<>();
  private final List<SecretKeySpec> encKeys = new ArrayList<>();
  private final byte[] context;

  /** A codec for the given raw secrets (first signs) bound to a context string such as a group name. */
  public CookieCodec(List<byte[]> secrets, String context) {
    for (byte[] secret : secrets) {
      macKeys.add(new SecretKeySpec(hmac(secret, "loadstar-sticky-mac".getBytes(StandardCharsets.UTF_8)),
          "HmacSHA256"));
      encKeys.add(new SecretKeySpec(hmac(secret, "loadstar-sticky-enc".getBytes(StandardCharsets.UTF_8)), 0, 16,
          "AES"));
    }
    this.context = context.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public String seal(String value, long expiresEpochSeconds) {
    return encode(value, expiresEpochSeconds);
  }

  @Override
  public String open(String sealed, long nowEpochSeconds) {
    return decode(sealed, nowEpochSeconds);
  }

  /** The cookie value for a target id expiring at {@code expiresEpochSeconds}. */
  public String encode(String targetId, long expiresEpochSeconds) {
    byte[] id = targetId.getBytes(StandardCharsets.UTF_8);
    byte[] plain = ByteBuffer.allocate(8 + id.length).putLong(expiresEpochSeconds).put(id).array();
    byte[] iv = syntheticIv(macKeys.get(0), plain);
    byte[] cipherText = ctr(encKeys.get(0), iv, plain);
    byte[] out = new byte[1 + IV_BYTES + cipherText.length];
    out[0] = VERSION;
    System.arraycopy(iv, 0, out, 1, IV_BYTES);
    System.arraycopy(cipherText, 0, out, 1 + IV_BYTES, cipherText.length);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(out);
  }

  /** The target id in a valid value not expired at {@code nowEpochSeconds}, or {@code null}. Never throws. */
  public String decode(String value, long nowEpochSeconds) {
    if (value == null || value.isEmpty() || value.length() > MAX_VALUE_CHARS) {
      return null;
    }
    byte[] raw;
    try {
      raw = Base64.getUrlDecoder().decode(value);
    } catch (IllegalArgumentException e) {
      return null;
    }
    if (raw.length < 1 + IV_BYTES + 8 + 1 || raw[0] != VERSION) {
      return null;
    }
    byte[] iv = new byte[IV_BYTES];
    System.arraycopy(raw, 1, iv, 0, IV_BYTES);
    byte[] cipherText = new byte[raw.length - 1 - IV_BYTES];
    System.arraycopy(raw, 1 + IV_BYTES, cipherText, 0, cipherText.length);
    for (int k = 0; k < macKeys.size(); k++) {
      byte[] plain = ctr(encKeys.get(k), iv, cipherText);
      if (MessageDigest.isEqual(iv, syntheticIv(macKeys.get(k), plain))) {
        ByteBuffer buf = ByteBuffer.wrap(plain);
        long expires = buf.getLong();
        if (expires < nowEpochSeconds || expires - nowEpochSeconds > MAX_LIFETIME_SECONDS) {
          return null;
        }
        return new String(plain, 8, plain.length - 8, StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  private byte[] syntheticIv(SecretKeySpec macKey, byte[] plain) {
    try {
      Mac mac = MAC.get();
      mac.init(macKey);
      mac.update(VERSION);
      mac.update((byte) context.length);
      mac.update(context);
      mac.update(plain);
      byte[] full = mac.doFinal();
      byte[] iv = new byte[IV_BYTES];
      System.arraycopy(full, 0, iv, 0, IV_BYTES);
      return iv;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  private static byte[] ctr(SecretKeySpec key, byte[] iv, byte[] input) {
    try {
      Cipher cipher = CTR.get();
      cipher.init(Cipher.ENCRYPT_MODE, key, new IvParameterSpec(iv));
      return cipher.doFinal(input);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES/CTR unavailable", e);
    }
  }

  private static byte[] hmac(byte[] key, byte[] data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }
}
