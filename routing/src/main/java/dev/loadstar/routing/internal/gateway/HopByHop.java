package dev.loadstar.routing.internal.gateway;

import io.vertx.core.MultiMap;

/** Headers that belong to one connection and are not forwarded (RFC 9110 7.6.1), and message framing. */
final class HopByHop {

  private HopByHop() {
  }

  /**
   * Whether a request header stays with the client's connection: {@code Connection} and the fields it governs,
   * framing ({@code Transfer-Encoding}, {@code Content-Length}: set again for the target), {@code Host} (set by the
   * listener), and {@code Expect} (the listener answers {@code 100 Continue} itself).
   */
  static boolean isRequestHopByHop(String name) {
    switch (name.length()) {
      case 2:
        return name.equalsIgnoreCase("te");
      case 4:
        return name.equalsIgnoreCase("host");
      case 6:
        return name.equalsIgnoreCase("expect");
      case 7:
        return name.equalsIgnoreCase("upgrade") || name.equalsIgnoreCase("trailer");
      case 10:
        return name.equalsIgnoreCase("connection") || name.equalsIgnoreCase("keep-alive");
      case 14:
        return name.equalsIgnoreCase("content-length");
      case 16:
        return name.equalsIgnoreCase("proxy-connection");
      case 17:
        return name.equalsIgnoreCase("transfer-encoding");
      case 19:
        return name.equalsIgnoreCase("proxy-authorization");
      default:
        return false;
    }
  }

  /** Whether a response header stays with the target's connection (framing is decided again for the client). */
  static boolean isResponseHopByHop(String name) {
    switch (name.length()) {
      case 2:
        return name.equalsIgnoreCase("te");
      case 7:
        return name.equalsIgnoreCase("upgrade") || name.equalsIgnoreCase("trailer");
      case 10:
        return name.equalsIgnoreCase("connection") || name.equalsIgnoreCase("keep-alive");
      case 16:
        return name.equalsIgnoreCase("proxy-connection");
      case 17:
        return name.equalsIgnoreCase("transfer-encoding");
      case 18:
        return name.equalsIgnoreCase("proxy-authenticate");
      default:
        return false;
    }
  }

  /** Whether {@code name} is one of the comma-separated tokens of a {@code Connection} header value. */
  static boolean listed(String connection, String name) {
    int i = 0;
    int n = connection.length();
    while (i < n) {
      int comma = connection.indexOf(',', i);
      int end = comma < 0 ? n : comma;
      int from = i;
      int to = end;
      while (from < to && connection.charAt(from) == ' ') {
        from++;
      }
      while (to > from && connection.charAt(to - 1) == ' ') {
        to--;
      }
      if (to - from == name.length() && connection.regionMatches(true, from, name, 0, name.length())) {
        return true;
      }
      i = end + 1;
    }
    return false;
  }

  /** Whether an HTTP/1.1 request's body is chunked ({@code Transfer-Encoding: chunked}, any case). */
  static boolean isChunked(MultiMap headers) {
    String te = headers.get("transfer-encoding");
    return te != null && te.trim().equalsIgnoreCase("chunked");
  }
}
