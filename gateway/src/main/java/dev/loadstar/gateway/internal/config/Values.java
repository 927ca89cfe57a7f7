package dev.loadstar.gateway.internal.config;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** Conversions the binders share: clamped ints, decimal seconds as durations, maps of strings. */
final class Values {

  private Values() {
  }

  /** {@code v} clamped to the int range (a builder then refuses it with its own range). */
  static int clamp(long v) {
    return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, v));
  }

  /** A decimal number of seconds as a duration (clamped to what a Duration of nanoseconds holds). */
  static Duration seconds(BigDecimal s) {
    BigDecimal nanos = s.movePointRight(9);
    if (nanos.abs().compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
      return s.signum() < 0 ? Duration.ofSeconds(Long.MIN_VALUE / 1_000_000_000L)
          : Duration.ofSeconds(Long.MAX_VALUE / 1_000_000_000L);
    }
    return Duration.ofNanos(nanos.setScale(0, RoundingMode.HALF_UP).longValueExact());
  }

  /** A field holding a number of seconds, as a duration. */
  static Val<Duration> secondsVal(Obj o, String key) {
    Val<BigDecimal> v = o.number(key, "a number of seconds");
    return new Val<>(v.path(), v.node(), v.present() ? seconds(v.value()) : null, v.invalid());
  }

  /** An object of strings (e.g. metadata, launch-template parameters). */
  static Val<Map<String, String>> stringMap(Obj parent, String key) {
    Obj m = parent.object(key);
    if (m == null) {
      return new Val<>(parent.path(key), parent.raw(key), null, parent.raw(key) != null);
    }
    Map<String, String> out = new LinkedHashMap<>();
    boolean ok = true;
    for (String k : m.node().fields().keySet()) {
      Val<String> v = m.string(k);
      if (v.present()) {
        out.put(k, v.value());
      } else {
        ok = false;
      }
    }
    return new Val<>(m.path(), m.node(), ok ? out : null, !ok);
  }
}
