package dev.loadstar.core.internal.algorithm;

/**
 * Walker's alias method (Vose's construction): draws an index with probability proportional to its weight in O(1)
 * from one 64-bit random number, without allocating.
 */
final class AliasTable {

  private final int n;
  private final int[] alias;
  /** Probability (scaled to 2^32) of keeping the drawn column rather than its alias. */
  private final long[] keep;

  /** A table over positive weights. */
  AliasTable(double[] weights) {
    n = weights.length;
    alias = new int[n];
    keep = new long[n];
    double sum = 0;
    for (double w : weights) {
      sum += w;
    }
    double[] scaled = new double[n];
    int[] small = new int[n];
    int[] large = new int[n];
    int smallCount = 0;
    int largeCount = 0;
    for (int i = 0; i < n; i++) {
      scaled[i] = weights[i] * n / sum;
      if (scaled[i] < 1.0) {
        small[smallCount++] = i;
      } else {
        large[largeCount++] = i;
      }
    }
    while (smallCount > 0 && largeCount > 0) {
      int s = small[--smallCount];
      int l = large[--largeCount];
      keep[s] = toFixed(scaled[s]);
      alias[s] = l;
      scaled[l] = (scaled[l] + scaled[s]) - 1.0;
      if (scaled[l] < 1.0) {
        small[smallCount++] = l;
      } else {
        large[largeCount++] = l;
      }
    }
    // what remains is 1 up to rounding error
    while (largeCount > 0) {
      int l = large[--largeCount];
      keep[l] = 1L << 32;
      alias[l] = l;
    }
    while (smallCount > 0) {
      int s = small[--smallCount];
      keep[s] = 1L << 32;
      alias[s] = s;
    }
  }

  private static long toFixed(double p) {
    return Math.min(1L << 32, Math.max(0L, Math.round(p * 4294967296.0)));
  }

  /** The index drawn with the given 64 random bits: the high half picks a column, the low half keeps or aliases. */
  int draw(long random) {
    int column = (int) (((random >>> 32) * n) >>> 32);
    return (random & 0xFFFFFFFFL) < keep[column] ? column : alias[column];
  }

  /** The probability the table gives index {@code i} (for tests). */
  double probability(int i) {
    double p = 0;
    for (int c = 0; c < n; c++) {
      double k = keep[c] / 4294967296.0;
      if (c == i) {
        p += k;
      }
      if (alias[c] == i) {
        p += 1.0 - k;
      }
    }
    return p / n;
  }
}
