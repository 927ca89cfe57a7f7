package dev.loadstar.core;

/**
 * What a selector may know about the request being balanced: a hash key for consistent hashing, and the zone of the
 * balancer making the request (for groups with cross-zone load balancing off).
 *
 * <p>Callers that balance many requests keep one instance per kind of request (e.g. one {@link #inZone} context per
 * client) or one mutable implementation per thread, to stay allocation-free.
 */
public interface SelectionContext {

  /** A context without a hash key or zone. */
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

  /**
   * The availability zone of the balancer making the request, or {@code null} (the default) when it has none. With
   * {@code load_balancing.cross_zone.enabled} off, a group selects only among this zone's targets while the zone has
   * enough healthy ones (see {@link TargetGroupConfig#crossZoneEnabled()}).
   */
  default String zone() {
    return null;
  }

  /** A context carrying the given 64-bit hash key. */
  static SelectionContext ofHash(long hashKey) {
    return of(true, hashKey, null);
  }

  /** A context whose hash key is a well-mixed 64-bit hash of the string. */
  static SelectionContext ofKey(String key) {
    return ofHash(dev.loadstar.core.internal.Hashing.hash64(key));
  }

  /** A context without a hash key for a balancer in {@code zone} ({@code null}: {@link #NONE}). */
  static SelectionContext inZone(String zone) {
    return zone == null ? NONE : of(false, 0, zone);
  }

  /** This context's hash key (if any) with the given zone. */
  default SelectionContext withZone(String zone) {
    if (zone == null && zone() == null) {
      return this;
    }
    return of(hasHashKey(), hashKey(), zone);
  }

  private static SelectionContext of(boolean hasKey, long hashKey, String zone) {
    return new SelectionContext() {
      @Override
      public boolean hasHashKey() {
        return hasKey;
      }

      @Override
      public long hashKey() {
        return hashKey;
      }

      @Override
      public String zone() {
        return zone;
      }
    };
  }
}
