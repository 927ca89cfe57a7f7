package dev.loadstar.routing.internal.gateway;

import io.vertx.core.MultiMap;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/** Reads a cookie from request headers and writes Set-Cookie values with {@code Expires}. */
final class Cookies {

  private static final DateTimeFormatter EXPIRES =
      DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);

  private Cookies() {
  }

  /** The value of the first cookie with this name in the Cookie headers, or {@code null}. */
  static String get(MultiMap headers, String name) {
    List<String> all = headers.getAll("cookie");
    for (String header : all) {
      int i = 0;
      int len = header.length();
      while (i < len) {
        int semi = header.indexOf(';', i);
        int end = semi < 0 ? len : semi;
        int eq = header.indexOf('=', i);
        if (eq > 0 && eq < end && header.substring(i, eq).trim().equals(name)) {
          String v = header.substring(eq + 1, end).trim();
          if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
            v = v.substring(1, v.length() - 1);
          }
          return v;
        }
        i = end + 1;
      }
    }
    return null;
  }

  /** {@code name=value; Expires=...; Path=/}. */
  static String setCookie(String name, String value, long expiresEpochSeconds) {
    return name + "=" + value + "; Expires=" + EXPIRES.format(Instant.ofEpochSecond(expiresEpochSeconds)) + "; Path=/";
  }

  /** Whether any Set-Cookie header sets a cookie with this name. */
  static boolean setsCookie(List<String> setCookies, String name) {
    for (String s : setCookies) {
      int eq = s.indexOf('=');
      if (eq > 0 && s.substring(0, eq).trim().equals(name)) {
        return true;
      }
    }
    return false;
  }
}
