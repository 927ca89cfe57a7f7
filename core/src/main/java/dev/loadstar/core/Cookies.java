package dev.loadstar.core;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** Reads cookies from {@code Cookie} headers and writes {@code Set-Cookie} values: the one cookie parser of the client and the gateway. */
public final class Cookies {

  private static final DateTimeFormatter EXPIRES =
      DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);

  private Cookies() {
  }

  /**
   * The value of the first cookie named {@code name} in these {@code Cookie} header values ({@code a=1; b=2}),
   * without surrounding quotes; {@code null} when there is none or its value is empty.
   */
  public static String get(Iterable<String> cookieHeaders, String name) {
    for (String header : cookieHeaders) {
      String v = get(header, name);
      if (v != null) {
        return v;
      }
    }
    return null;
  }

  /** The value of the cookie named {@code name} in one {@code Cookie} header value, or {@code null}. */
  public static String get(String cookieHeader, String name) {
    int len = cookieHeader.length();
    int i = 0;
    while (i < len) {
      int end = cookieHeader.indexOf(';', i);
      if (end < 0) {
        end = len;
      }
      int eq = cookieHeader.indexOf('=', i);
      if (eq > i && eq < end && nameEquals(cookieHeader, i, eq, name)) {
        int from = eq + 1;
        int to = end;
        while (from < to && cookieHeader.charAt(from) == ' ') {
          from++;
        }
        while (to > from && cookieHeader.charAt(to - 1) == ' ') {
          to--;
        }
        if (to - from >= 2 && cookieHeader.charAt(from) == '"' && cookieHeader.charAt(to - 1) == '"') {
          from++;
          to--;
        }
        return to > from ? cookieHeader.substring(from, to) : null;
      }
      i = end + 1;
    }
    return null;
  }

  private static boolean nameEquals(String h, int from, int to, String name) {
    while (from < to && h.charAt(from) == ' ') {
      from++;
    }
    while (to > from && h.charAt(to - 1) == ' ') {
      to--;
    }
    return to - from == name.length() && h.regionMatches(from, name, 0, name.length());
  }

  /** Whether one of these {@code Set-Cookie} header values sets a cookie named {@code name} (with a value). */
  public static boolean setsCookie(Iterable<String> setCookieHeaders, String name) {
    for (String h : setCookieHeaders) {
      int from = 0;
      while (from < h.length() && h.charAt(from) == ' ') {
        from++;
      }
      int eq = h.indexOf('=', from);
      if (eq - from == name.length() && h.regionMatches(from, name, 0, name.length())) {
        int semi = h.indexOf(';', eq);
        if ((semi < 0 ? h.length() : semi) > eq + 1) {
          return true;
        }
      }
    }
    return false;
  }

  /** {@code name=value; Expires=<HTTP date>; Path=/}. */
  public static String setCookie(String name, String value, long expiresEpochSeconds) {
    return name + "=" + value + "; Expires=" + EXPIRES.format(Instant.ofEpochSecond(expiresEpochSeconds)) + "; Path=/";
  }
}
