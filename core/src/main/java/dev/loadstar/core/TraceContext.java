package dev.loadstar.core;

import io.vertx.core.MultiMap;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * W3C Trace Context ({@code traceparent}, {@code tracestate}) for the gateway and the client: a valid
 * {@code traceparent} is passed on unchanged, and one is started (sampled, with a new trace id) when a request has
 * none or an invalid one, so every request reaching a target carries a trace. Tracing libraries replace the parent
 * id with their own spans' ({@link ExchangeListener#beforeSend}).
 */
public final class TraceContext {

  /** The {@code traceparent} header. */
  public static final String TRACEPARENT = "traceparent";
  /** The {@code tracestate} header. */
  public static final String TRACESTATE = "tracestate";
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private TraceContext() {
  }

  /**
   * Whether {@code value} is a {@code traceparent} to continue: {@code version-traceid-parentid-flags} in lower-case
   * hex, version not {@code ff} (version {@code 00} exactly 55 characters, a later one at least 55 with {@code -}
   * after the flags), trace id and parent id not all zeros.
   */
  public static boolean isValid(String value) {
    if (value == null || value.length() < 55) {
      return false;
    }
    if (!hex(value, 0, 2) || value.startsWith("ff") || value.charAt(2) != '-' || !hex(value, 3, 35)
        || value.charAt(35) != '-' || !hex(value, 36, 52) || value.charAt(52) != '-' || !hex(value, 53, 55)) {
      return false;
    }
    if (value.startsWith("00") ? value.length() != 55 : value.length() > 55 && value.charAt(55) != '-') {
      return false;
    }
    return !zeros(value, 3, 35) && !zeros(value, 36, 52);
  }

  /** The trace id (32 hex digits) of a valid {@code traceparent}. */
  public static String traceId(String traceparent) {
    return traceparent.substring(3, 35);
  }

  /**
   * A new sampled {@code traceparent} ({@code 00-<trace id>-<random parent id>-01}); {@code traceId} null (or not 32
   * lower-case hex digits, not all zeros) starts a new random trace id.
   */
  public static String newTraceParent(String traceId) {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    StringBuilder b = new StringBuilder(55).append("00-");
    if (traceId != null && traceId.length() == 32 && hex(traceId, 0, 32) && !zeros(traceId, 0, 32)) {
      b.append(traceId);
    } else {
      appendHex(b, r.nextLong() | 1);
      appendHex(b, r.nextLong());
    }
    b.append('-');
    appendHex(b, r.nextLong() | 1);
    return b.append("-01").toString();
  }

  /**
   * Starts a trace on {@code headers} unless they carry exactly one valid {@code traceparent}: sets a new one (with
   * {@code traceId}, or a random one when null) and removes {@code tracestate}, which belongs to the trace it
   * replaces. Returns whether it started one.
   */
  public static boolean ensure(MultiMap headers, String traceId) {
    List<String> all = headers.getAll(TRACEPARENT);
    if (all.size() == 1 && isValid(all.get(0))) {
      return false;
    }
    headers.remove(TRACESTATE);
    headers.set(TRACEPARENT, newTraceParent(traceId));
    return true;
  }

  private static void appendHex(StringBuilder b, long v) {
    for (int i = 60; i >= 0; i -= 4) {
      b.append(HEX[(int) (v >>> i) & 0xf]);
    }
  }

  private static boolean hex(String s, int from, int to) {
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
        return false;
      }
    }
    return true;
  }

  private static boolean zeros(String s, int from, int to) {
    for (int i = from; i < to; i++) {
      if (s.charAt(i) != '0') {
        return false;
      }
    }
    return true;
  }
}
