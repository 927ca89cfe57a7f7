package dev.loadstar.routing.internal.gateway;

/**
 * Normalises a request path before it is matched and forwarded (RFC 3986 6.2.2): percent-encoded unreserved
 * characters decoded, the hex digits of the remaining escapes upper-cased, dot segments removed and runs of slashes
 * merged. {@code %2F} stays encoded (it is data, not a separator). A path that cannot be normalised safely gives
 * {@code null}: not starting with {@code /}, a backslash, a fragment, a space, a control or non-ASCII character,
 * {@code %00}, an invalid escape, or a {@code ..} climbing above the root. A path already in normal form is returned
 * as is (one scan, nothing allocated).
 */
final class Paths {

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private Paths() {
  }

  /** The normal form of {@code path}, the same instance when it is already normal, or null when refused. */
  static String normalize(String path) {
    int n = path.length();
    if (n == 0 || path.charAt(0) != '/') {
      return null;
    }
    boolean work = false;
    for (int i = 0; i < n; i++) {
      char c = path.charAt(i);
      if (!allowed(c)) {
        return null;
      }
      if (c == '%') {
        work |= !normalEscape(path, i);
      } else if (c == '/' && i > 0) {
        char p = path.charAt(i - 1);
        if (p == '/' || p == '.' && dotSegmentEndsAt(path, i)) {
          work = true;
        }
      }
    }
    if (!work && n > 1 && path.charAt(n - 1) == '.' && dotSegmentEndsAt(path, n)) {
      work = true;
    }
    return work ? rebuild(path) : path;
  }

  /** Whether the escape at {@code i} stays as it is: two upper-case hex digits, neither NUL nor unreserved. */
  private static boolean normalEscape(String path, int i) {
    if (i + 2 >= path.length()) {
      return false;
    }
    char a = path.charAt(i + 1);
    char b = path.charAt(i + 2);
    int hi = hex(a);
    int lo = hex(b);
    if (hi < 0 || lo < 0 || a >= 'a' || b >= 'a') {
      return false;
    }
    int v = hi << 4 | lo;
    return v != 0 && !unreserved(v);
  }

  /** Whether the segment ending at {@code end} (exclusive) is {@code .} or {@code ..}. */
  private static boolean dotSegmentEndsAt(String path, int end) {
    if (end >= 2 && path.charAt(end - 1) == '.' && path.charAt(end - 2) == '/') {
      return true;
    }
    return end >= 3 && path.charAt(end - 1) == '.' && path.charAt(end - 2) == '.' && path.charAt(end - 3) == '/';
  }

  /** Characters that may appear raw in a path: visible ASCII except backslash and {@code #}. */
  static boolean allowed(char c) {
    return c > 0x20 && c < 0x7f && c != '\\' && c != '#';
  }

  /** Whether an octet is unreserved (RFC 3986 2.3): ALPHA, DIGIT, {@code - . _ ~}. */
  static boolean unreserved(int c) {
    return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_'
        || c == '~';
  }

  static int hex(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }

  private static String rebuild(String path) {
    int n = path.length();
    StringBuilder out = new StringBuilder(n);
    // out holds "/seg1/seg2..." ; starts[k] is where the k-th segment's '/' is, to pop on ".."
    int[] starts = new int[n / 2 + 1];
    int depth = 0;
    boolean trailingSlash = false;
    int i = 1;
    while (i <= n) {
      int end = path.indexOf('/', i);
      if (end < 0) {
        end = n;
      }
      boolean last = end >= n;
      int mark = out.length();
      out.append('/');
      for (int j = i; j < end; j++) {
        char c = path.charAt(j);
        if (c != '%') {
          out.append(c);
          continue;
        }
        if (j + 2 >= end) {
          return null; // '%' without two characters after it in this segment
        }
        int hi = hex(path.charAt(j + 1));
        int lo = hex(path.charAt(j + 2));
        if (hi < 0 || lo < 0) {
          return null;
        }
        int v = hi << 4 | lo;
        if (v == 0) {
          return null;
        }
        if (unreserved(v)) {
          out.append((char) v);
        } else {
          out.append('%').append(HEX[hi]).append(HEX[lo]);
        }
        j += 2;
      }
      int len = out.length() - mark - 1;
      if (len == 0 || len == 1 && out.charAt(mark + 1) == '.') {
        out.setLength(mark); // empty or "."
        trailingSlash = last;
      } else if (len == 2 && out.charAt(mark + 1) == '.' && out.charAt(mark + 2) == '.') {
        if (depth == 0) {
          return null; // above the root
        }
        depth--;
        out.setLength(starts[depth]);
        trailingSlash = last;
      } else {
        starts[depth++] = mark;
        trailingSlash = false;
      }
      i = end + 1;
    }
    if (out.length() == 0 || trailingSlash) {
      out.append('/');
    }
    return out.toString();
  }
}
