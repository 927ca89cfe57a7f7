package dev.loadstar.routing.internal.gateway;

import dev.loadstar.core.TraceContext;
import io.vertx.core.MultiMap;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * ALB's request headers: X-Forwarded-For (append), X-Forwarded-Proto, X-Forwarded-Port, the trace ids
 * ({@code X-Amzn-Trace-Id} and W3C's {@code traceparent}, one trace), and removal of the headers a {@code Connection}
 * header names and of the client's own {@code X-Forwarded-Host}, {@code Forwarded} and {@code X-Real-IP} (a target
 * must not take them for the listener's).
 */
final class ForwardedHeaders {

  static final String XFF = "X-Forwarded-For";
  static final String XFP = "X-Forwarded-Proto";
  static final String XFPORT = "X-Forwarded-Port";
  static final String TRACE = "X-Amzn-Trace-Id";
  private static final int MAX_TRACE = 7 * 1024;
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private ForwardedHeaders() {
  }

  /** The number of addresses in all X-Forwarded-For headers. */
  static int forwardedForCount(MultiMap headers) {
    List<String> values = headers.getAll(XFF);
    int n = 0;
    for (String v : values) {
      int start = 0;
      while (start <= v.length()) {
        int comma = v.indexOf(',', start);
        int end = comma < 0 ? v.length() : comma;
        if (!v.substring(start, end).isBlank()) {
          n++;
        }
        start = end + 1;
      }
    }
    return n;
  }

  /** Applies the forwarding headers to the headers that will be sent to the target. */
  static void apply(MultiMap h, String clientIp, String proto, int listenerPort) {
    String connection = h.get("connection");
    if (connection != null) {
      for (String token : connection.split(",")) {
        String name = token.trim();
        if (!name.isEmpty() && !name.equalsIgnoreCase("upgrade") && !name.equalsIgnoreCase("keep-alive")
            && !name.equalsIgnoreCase("close")) {
          h.remove(name);
        }
      }
    }
    h.remove("x-forwarded-host");
    h.remove("forwarded");
    h.remove("x-real-ip");
    List<String> xff = h.getAll(XFF);
    String joined = xff.isEmpty() ? null : String.join(", ", xff);
    h.set(XFF, joined == null || joined.isBlank() ? clientIp : joined + ", " + clientIp);
    h.set(XFP, proto);
    h.set(XFPORT, Integer.toString(listenerPort));
    String amazon = h.get(TRACE);
    // W3C trace context beside ALB's header: a valid traceparent passes unchanged; none starts one, continuing the
    // X-Amzn-Trace-Id root when there is one (X-Ray's mapping: 1-8hex-24hex is the 32-hex trace id)
    List<String> parents = h.getAll(TraceContext.TRACEPARENT);
    if (parents.size() != 1 || !TraceContext.isValid(parents.get(0))) {
      String root = rootTraceId(amazon);
      if (root == null) {
        String id = newId(); // as ALB's: the epoch second first
        root = id.substring(2, 10) + id.substring(11);
      }
      TraceContext.ensure(h, root);
    }
    String traceId = TraceContext.traceId(h.get(TraceContext.TRACEPARENT));
    h.set(TRACE, trace(amazon, "1-" + traceId.substring(0, 8) + "-" + traceId.substring(8)));
  }

  /** The 32-hex trace id of an X-Amzn-Trace-Id's {@code Root=1-<8 hex>-<24 hex>}, or null. */
  static String rootTraceId(String amazon) {
    if (amazon == null) {
      return null;
    }
    for (String part : amazon.split(";")) {
      String p = part.trim();
      if (p.regionMatches(true, 0, "Root=", 0, 5) && p.length() == 5 + 35 && p.charAt(5) == '1'
          && p.charAt(6) == '-' && p.charAt(15) == '-') {
        return (p.substring(7, 15) + p.substring(16)).toLowerCase(java.util.Locale.ROOT);
      }
    }
    return null;
  }

  /** A new trace id {@code 1-<epoch seconds hex>-<24 hex>}. */
  static String newId() {
    char[] c = new char[35];
    c[0] = '1';
    c[1] = '-';
    long epoch = System.currentTimeMillis() / 1000;
    for (int i = 0; i < 8; i++) {
      c[2 + i] = HEX[(int) (epoch >>> (28 - 4 * i)) & 0xf];
    }
    c[10] = '-';
    ThreadLocalRandom r = ThreadLocalRandom.current();
    long a = r.nextLong();
    long b = r.nextLong();
    for (int i = 0; i < 16; i++) {
      c[11 + i] = HEX[(int) (a >>> (60 - 4 * i)) & 0xf];
    }
    for (int i = 0; i < 8; i++) {
      c[27 + i] = HEX[(int) (b >>> (60 - 4 * i)) & 0xf];
    }
    return new String(c);
  }

  /** The trace header to forward: a new {@code Root} if absent, else the existing one with {@code Self} set. */
  static String trace(String existing) {
    return trace(existing, newId());
  }

  /** As {@link #trace(String)}, with {@code newRoot} as the {@code Root} when the header has none. */
  static String trace(String existing, String newRoot) {
    if (existing == null || existing.isBlank()) {
      return "Root=" + newRoot;
    }
    String root = null;
    StringBuilder rest = new StringBuilder();
    for (String part : existing.split(";")) {
      String p = part.trim();
      if (p.isEmpty()) {
        continue;
      }
      if (p.regionMatches(true, 0, "Root=", 0, 5)) {
        root = p.substring(5);
      } else if (!p.regionMatches(true, 0, "Self=", 0, 5)) {
        rest.append(';').append(p);
      }
    }
    if (root == null) {
      root = newRoot;
    }
    if (existing.length() > MAX_TRACE) {
      return "Root=" + root;
    }
    return "Self=" + newId() + ";Root=" + root + rest;
  }
}
