package dev.loadstar.scaling.internal;

import java.security.SecureRandom;

/** Instance ids shaped like EC2's: {@code i-} and 17 lower-case hex digits. */
public final class InstanceIds {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private InstanceIds() {
  }

  /** A new random id. */
  public static String next() {
    char[] c = new char[19];
    c[0] = 'i';
    c[1] = '-';
    for (int i = 2; i < c.length; i++) {
      c[i] = HEX[RANDOM.nextInt(16)];
    }
    return new String(c);
  }
}
