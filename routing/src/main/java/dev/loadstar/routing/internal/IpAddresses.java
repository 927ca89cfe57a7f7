package dev.loadstar.routing.internal;

/**
 * Parses IPv4 and IPv6 literals to bytes without any name lookup. IPv4-mapped IPv6 addresses become IPv4.
 */
public final class IpAddresses {

  private IpAddresses() {
  }

  /** The address as 4 or 16 bytes, or {@code null} when the text is not an IP literal. */
  public static byte[] parse(String s) {
    if (s == null || s.isEmpty()) {
      return null;
    }
    if (s.startsWith("[") && s.endsWith("]")) {
      s = s.substring(1, s.length() - 1);
    }
    int pct = s.indexOf('%');
    if (pct >= 0) {
      s = s.substring(0, pct);
    }
    if (s.indexOf(':') < 0) {
      return parseV4(s, 0, s.length());
    }
    byte[] v6 = parseV6(s);
    if (v6 == null) {
      return null;
    }
    boolean mapped = true;
    for (int i = 0; i < 10; i++) {
      if (v6[i] != 0) {
        mapped = false;
        break;
      }
    }
    if (mapped && v6[10] == (byte) 0xff && v6[11] == (byte) 0xff) {
      return new byte[] {v6[12], v6[13], v6[14], v6[15]};
    }
    return v6;
  }

  private static byte[] parseV4(String s, int from, int to) {
    byte[] out = new byte[4];
    int part = 0;
    int value = -1;
    int digits = 0;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c >= '0' && c <= '9') {
        if (digits > 0 && value == 0) {
          return null; // no leading zeros
        }
        value = (value < 0 ? 0 : value * 10) + (c - '0');
        if (++digits > 3 || value > 255) {
          return null;
        }
      } else if (c == '.') {
        if (value < 0 || part >= 3) {
          return null;
        }
        out[part++] = (byte) value;
        value = -1;
        digits = 0;
      } else {
        return null;
      }
    }
    if (value < 0 || part != 3) {
      return null;
    }
    out[3] = (byte) value;
    return out;
  }

  private static byte[] parseV6(String s) {
    byte[] out = new byte[16];
    int len = s.length();
    int pos = 0;
    int gap = -1;
    int i = 0;
    if (len >= 2 && s.charAt(0) == ':' && s.charAt(1) == ':') {
      gap = 0;
      i = 2;
      if (len == 2) {
        return out;
      }
    } else if (len > 0 && s.charAt(0) == ':') {
      return null;
    }
    while (i < len) {
      if (pos >= 16) {
        return null;
      }
      int start = i;
      int value = 0;
      int digits = 0;
      while (i < len && Character.digit(s.charAt(i), 16) >= 0) {
        value = (value << 4) | Character.digit(s.charAt(i), 16);
        if (++digits > 4) {
          return null;
        }
        i++;
      }
      if (i < len && s.charAt(i) == '.') {
        if (pos > 12) {
          return null;
        }
        byte[] v4 = parseV4(s, start, len);
        if (v4 == null) {
          return null;
        }
        System.arraycopy(v4, 0, out, pos, 4);
        pos += 4;
        i = len;
        break;
      }
      if (digits == 0) {
        return null;
      }
      out[pos++] = (byte) (value >> 8);
      out[pos++] = (byte) value;
      if (i == len) {
        break;
      }
      if (s.charAt(i) != ':') {
        return null;
      }
      i++;
      if (i < len && s.charAt(i) == ':') {
        if (gap >= 0) {
          return null;
        }
        gap = pos;
        i++;
        if (i == len) {
          break;
        }
      } else if (i == len) {
        return null;
      }
    }
    if (gap >= 0) {
      int tail = pos - gap;
      if (pos == 16) {
        return null;
      }
      System.arraycopy(out, gap, out, 16 - tail, tail);
      for (int k = gap; k < 16 - tail; k++) {
        out[k] = 0;
      }
    } else if (pos != 16) {
      return null;
    }
    return out;
  }
}
