package dev.loadstar.routing.internal.gateway;

/** Renders client-controlled text for log lines: control characters (CR, LF, ...) escaped, length bounded. */
final class Logs {

  private static final int MAX = 512;

  private Logs() {
  }

  /** {@code s} with control characters as {@code \xNN}, cut at 512 characters. */
  static String safe(String s) {
    if (s == null) {
      return "null";
    }
    StringBuilder b = null;
    int n = Math.min(s.length(), MAX);
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        if (b == null) {
          b = new StringBuilder(n + 16).append(s, 0, i);
        }
        b.append(String.format("\\x%02x", (int) c));
      } else if (b != null) {
        b.append(c);
      }
    }
    String out = b == null ? s.substring(0, n) : b.toString();
    return s.length() > MAX ? out + "..." : out;
  }
}
