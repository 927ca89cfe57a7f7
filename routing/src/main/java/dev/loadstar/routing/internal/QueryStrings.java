package dev.loadstar.routing.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Percent-decoding of query-string keys and values ({@code +} is kept; malformed escapes are kept verbatim).
 */
public final class QueryStrings {

  private QueryStrings() {
  }

  /** Whether {@code s[from, to)} contains a percent sign. */
  public static boolean hasEscape(String s, int from, int to) {
    for (int i = from; i < to; i++) {
      if (s.charAt(i) == '%') {
        return true;
      }
    }
    return false;
  }

  /** Decodes {@code %XX} escapes of {@code s[from, to)} as UTF-8. */
  public static String decode(String s, int from, int to) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(to - from);
    int i = from;
    while (i < to) {
      char c = s.charAt(i);
      if (c == '%' && i + 2 < to && Character.digit(s.charAt(i + 1), 16) >= 0
          && Character.digit(s.charAt(i + 2), 16) >= 0) {
        out.write((Character.digit(s.charAt(i + 1), 16) << 4) | Character.digit(s.charAt(i + 2), 16));
        i += 3;
        continue;
      }
      int cp = s.codePointAt(i);
      int n = Character.charCount(cp);
      byte[] b = s.substring(i, Math.min(to, i + n)).getBytes(StandardCharsets.UTF_8);
      out.write(b, 0, b.length);
      i += n;
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
