package dev.loadstar.gateway.support;

import java.util.OptionalDouble;

/** Reads series out of a Prometheus text exposition. */
public final class Prometheus {

  private Prometheus() {
  }

  /** The value of the series written exactly as {@code series} (name and labels), if present. */
  public static OptionalDouble value(String scrape, String series) {
    for (String line : scrape.split("\n")) {
      if (line.startsWith(series + " ")) {
        return OptionalDouble.of(Double.parseDouble(line.substring(series.length() + 1).trim().split(" ")[0]));
      }
    }
    return OptionalDouble.empty();
  }

  /** The value of the series, or 0 when absent. */
  public static double valueOrZero(String scrape, String series) {
    return value(scrape, series).orElse(0);
  }
}
