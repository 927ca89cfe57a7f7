package dev.loadstar.routing.internal;

/**
 * ALB wildcard matching: {@code *} matches zero or more characters, {@code ?} exactly one; no escapes.
 * Allocation-free; case folding is ASCII-only.
 */
public final class Glob {

  private Glob() {
  }

  /** Whether the pattern has a wildcard. */
  public static boolean hasWildcard(String p) {
    return p.indexOf('*') >= 0 || p.indexOf('?') >= 0;
  }

  /** Number of wildcards in the pattern. */
  public static int wildcards(String p) {
    int n = 0;
    for (int i = 0; i < p.length(); i++) {
      char c = p.charAt(i);
      if (c == '*' || c == '?') {
        n++;
      }
    }
    return n;
  }

  /** Whether {@code s} matches the pattern in full. */
  public static boolean matches(String p, String s, boolean ignoreCase) {
    return matches(p, s, 0, s.length(), ignoreCase);
  }

  /** Whether {@code s[from, to)} matches the pattern in full. */
  public static boolean matches(String p, String s, int from, int to, boolean ignoreCase) {
    int pl = p.length();
    int pi = 0;
    int si = from;
    int star = -1;
    int mark = from;
    while (si < to) {
      if (pi < pl) {
        char pc = p.charAt(pi);
        if (pc == '*') {
          star = pi++;
          mark = si;
          continue;
        }
        if (pc == '?' || same(pc, s.charAt(si), ignoreCase)) {
          pi++;
          si++;
          continue;
        }
      }
      if (star < 0) {
        return false;
      }
      pi = star + 1;
      si = ++mark;
    }
    while (pi < pl && p.charAt(pi) == '*') {
      pi++;
    }
    return pi == pl;
  }

  private static boolean same(char a, char b, boolean ignoreCase) {
    if (a == b) {
      return true;
    }
    return ignoreCase && fold(a) == fold(b);
  }

  /** ASCII lower case of one character. */
  public static char fold(char c) {
    return c >= 'A' && c <= 'Z' ? (char) (c + 32) : c;
  }

  /** ASCII lower case of a string. */
  public static String lower(String s) {
    StringBuilder b = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= 'A' && c <= 'Z') {
        if (b == null) {
          b = new StringBuilder(s.length()).append(s, 0, i);
        }
        b.append((char) (c + 32));
      } else if (b != null) {
        b.append(c);
      }
    }
    return b == null ? s : b.toString();
  }

  /** The literal characters before the first wildcard. */
  public static String literalPrefix(String p) {
    for (int i = 0; i < p.length(); i++) {
      char c = p.charAt(i);
      if (c == '*' || c == '?') {
        return p.substring(0, i);
      }
    }
    return p;
  }

  /** The literal characters after the last wildcard. */
  public static String literalSuffix(String p) {
    for (int i = p.length() - 1; i >= 0; i--) {
      char c = p.charAt(i);
      if (c == '*' || c == '?') {
        return p.substring(i + 1);
      }
    }
    return p;
  }
}
