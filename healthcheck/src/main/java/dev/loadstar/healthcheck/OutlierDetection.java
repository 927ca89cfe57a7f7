package dev.loadstar.healthcheck;

import dev.loadstar.core.config.Checks;
import java.time.Duration;
import java.util.Objects;

/**
 * The immutable settings of passive health (outlier detection): real requests that fail in a row eject a target
 * from rotation at once, before the next active check.
 *
 * <p>Each target gets a Resilience4j circuit breaker fed by the group's request outcomes (5xx answers, refused or
 * reset connections and timeouts are failures; cancelled requests do not count). The breaker opens after exactly
 * {@link #consecutiveFailures()} failures in a row: the target is ejected ({@code unhealthy} /
 * {@code Target.OutlierEjected}). The n-th ejection in a row lasts {@code min(baseEjectionTime * n,
 * maxEjectionTime)}; the count starts again once a target has stayed in rotation for {@code maxEjectionTime}. When an
 * ejection ends the breaker is half-open: the target is routable again and its next request decides (success closes
 * the breaker, failure ejects it again, for longer). At most {@link #maxEjectionPercent()} percent of the group's
 * targets (rounded down) are ejected at once, so a bad deploy cannot empty the group.
 */
public final class OutlierDetection {

  /** Default failures in a row that eject a target: 5. */
  public static final int DEFAULT_CONSECUTIVE_FAILURES = 5;
  /** Default first ejection time: 30 s. */
  public static final Duration DEFAULT_BASE_EJECTION_TIME = Duration.ofSeconds(30);
  /** Default longest ejection: 300 s. */
  public static final Duration DEFAULT_MAX_EJECTION_TIME = Duration.ofSeconds(300);
  /** Default share of the group that may be ejected at once: 50 %. */
  public static final int DEFAULT_MAX_EJECTION_PERCENT = 50;

  private static final OutlierDetection DEFAULTS = builder().build();
  private static final OutlierDetection DISABLED = new OutlierDetection(builder(), false);

  private final boolean enabled;
  private final int consecutiveFailures;
  private final Duration baseEjectionTime;
  private final Duration maxEjectionTime;
  private final int maxEjectionPercent;

  private OutlierDetection(Builder b, boolean enabled) {
    this.enabled = enabled;
    this.consecutiveFailures = b.consecutiveFailures;
    this.baseEjectionTime = b.baseEjectionTime;
    this.maxEjectionTime = b.maxEjectionTime;
    this.maxEjectionPercent = b.maxEjectionPercent;
  }

  /** Outlier detection with the defaults: 5 failures in a row, 30 s base, 300 s max, at most 50 % ejected. */
  public static OutlierDetection defaults() {
    return DEFAULTS;
  }

  /** No passive health: request outcomes are ignored. */
  public static OutlierDetection disabled() {
    return DISABLED;
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** Whether passive health is on. */
  public boolean enabled() {
    return enabled;
  }

  /** Failed requests in a row that eject a target (1-1000, default 5). */
  public int consecutiveFailures() {
    return consecutiveFailures;
  }

  /** Length of a first ejection (10 ms-1 h, default 30 s). */
  public Duration baseEjectionTime() {
    return baseEjectionTime;
  }

  /** Longest ejection, whatever the count (at least the base time, at most 1 h; default 300 s). */
  public Duration maxEjectionTime() {
    return maxEjectionTime;
  }

  /** Share of the group's (non-draining) targets that may be ejected at once, rounded down (0-100, default 50). */
  public int maxEjectionPercent() {
    return maxEjectionPercent;
  }

  /** The ejection time of the n-th ejection in a row (n from 1). */
  public Duration ejectionTime(int n) {
    long ms = Math.min(maxEjectionTime.toMillis(), baseEjectionTime.toMillis() * Math.max(1, n));
    return Duration.ofMillis(ms);
  }

  @Override
  public String toString() {
    return enabled ? "OutlierDetection{consecutiveFailures=" + consecutiveFailures + ", baseEjectionTime="
        + baseEjectionTime.toMillis() + "ms, maxEjectionTime=" + maxEjectionTime.toMillis() + "ms, maxEjectionPercent="
        + maxEjectionPercent + "}" : "OutlierDetection{disabled}";
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof OutlierDetection)) {
      return false;
    }
    OutlierDetection d = (OutlierDetection) o;
    return enabled == d.enabled && consecutiveFailures == d.consecutiveFailures
        && baseEjectionTime.equals(d.baseEjectionTime) && maxEjectionTime.equals(d.maxEjectionTime)
        && maxEjectionPercent == d.maxEjectionPercent;
  }

  @Override
  public int hashCode() {
    return Objects.hash(enabled, consecutiveFailures, baseEjectionTime, maxEjectionTime, maxEjectionPercent);
  }

  /** Builds an enabled {@link OutlierDetection}; {@link #build()} validates every field. */
  public static final class Builder {
    private int consecutiveFailures = DEFAULT_CONSECUTIVE_FAILURES;
    private Duration baseEjectionTime = DEFAULT_BASE_EJECTION_TIME;
    private Duration maxEjectionTime = DEFAULT_MAX_EJECTION_TIME;
    private int maxEjectionPercent = DEFAULT_MAX_EJECTION_PERCENT;

    private Builder() {
    }

    /** Sets the failed requests in a row that eject a target (1-1000). */
    public Builder consecutiveFailures(int count) {
      this.consecutiveFailures = count;
      return this;
    }

    /** Sets the length of a first ejection (10 ms-1 h, whole milliseconds). */
    public Builder baseEjectionTime(Duration time) {
      this.baseEjectionTime = Checks.notNull("baseEjectionTime", time);
      return this;
    }

    /** Sets the longest ejection (at least the base ejection time, at most 1 h). */
    public Builder maxEjectionTime(Duration time) {
      this.maxEjectionTime = Checks.notNull("maxEjectionTime", time);
      return this;
    }

    /** Sets the share of the group that may be ejected at once (0-100; 0 never ejects). */
    public Builder maxEjectionPercent(int percent) {
      this.maxEjectionPercent = percent;
      return this;
    }

    /** Validates the settings and builds them. */
    public OutlierDetection build() {
      Checks.range("consecutiveFailures", consecutiveFailures, 1, 1000);
      millis("baseEjectionTime", baseEjectionTime, 10, 3_600_000, "10 ms-1 h in whole milliseconds");
      millis("maxEjectionTime", maxEjectionTime, baseEjectionTime.toMillis(), 3_600_000,
          "baseEjectionTime (" + baseEjectionTime.toMillis() + " ms)-1 h in whole milliseconds");
      Checks.range("maxEjectionPercent", maxEjectionPercent, 0, 100);
      return new OutlierDetection(this, true);
    }

    private static void millis(String name, Duration d, long min, long max, String expected) {
      if (d.isNegative() || d.getNano() % 1_000_000 != 0 || d.toMillis() < min || d.toMillis() > max) {
        throw Checks.invalid(name, d.toMillis() + " ms", expected);
      }
    }
  }
}
