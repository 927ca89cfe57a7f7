package dev.loadstar.core.internal;

import java.nio.charset.StandardCharsets;

/**
 * Fast non-cryptographic 64-bit hashing (FNV-1a followed by a murmur3 finalizer).
 */
public final class Hashing {

  private Hashing() {
  }

  /** A 64-bit hash of the UTF-8 bytes of the string. */
  public static long hash64(String s) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    return hash64(bytes, 0, bytes.length);
  }

  /** A 64-bit hash of a byte range. */
  public static long hash64(byte[] bytes, int off, int len) {
    long h = 0xcbf29ce484222325L;
    for (int i = off; i < off + len; i++) {
      h ^= bytes[i] & 0xff;
      h *= 0x100000001b3L;
    }
    return mix(h);
  }

  /** The murmur3 64-bit finalizer: spreads every input bit over every output bit. */
  public static long mix(long h) {
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h;
  }
}
