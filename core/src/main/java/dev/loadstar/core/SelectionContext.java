package dev.loadstar.core;

/**
 * What a selector may know about the request being balanced: a hash key for consistent hashing.
 *
 * <p>Callers that balance many requests can keep one mutable implementation per thread to stay allocation-free.
 */
public interface SelectionContext {

  /** A context without a hash key. */
  SelectionContext NONE = new SelectionContext() {
    @Override
    public boolean hasHashKey() {
      return false;
    }

    @Override
    public long hashKey() {
      return 0;
    }
  };

  /** Whether {@link #hashKey()} is set; hashing algorithms fall back to a random key when it is not. */
  boolean hasHashKey();

  /** The 64-bit hash of the request key (e.g. a user id), used by consistent hashing. */
  long hashKey();

  /** A context carrying the given 64-bit hash key. */
  static SelectionContext ofHash(long hashKey) {
    return new SelectionContext() {
      @Override
      public boolean hasHashKey() {
        return true;
      }

      @Override
      public long hashKey() {
        return hashKey;
      }
    };
  }

  /** A context whose hash key is a well-mixed 64-bit hash of the string. */
  static SelectionContext ofKey(String key) {
    return ofHash(dev.loadstar.core.internal.Hashing.hash64(key));
  }
}
