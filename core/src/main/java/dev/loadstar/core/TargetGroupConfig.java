package dev.loadstar.core;

import dev.loadstar.core.config.Checks;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * The immutable settings of a {@link TargetGroup}: ALB's target group attributes with ALB's defaults and ranges.
 *
 * <p>Built with {@link #builder(String)}; {@link Builder#build()} validates every field and fails with
 * {@code name: value (expected: ...)}.
 */
public final class TargetGroupConfig {

  /** The protocol used to reach targets. */
  public enum Protocol {
    /** Plain HTTP/1.1. */
    HTTP,
    /** HTTP over TLS (target certificates are not validated, as with ALB). */
    HTTPS
  }

  /**
   * The HTTP version requests are sent to targets with (ALB's {@code ProtocolVersion}; default {@code HTTP1}).
   * {@code HTTP2} and {@code GRPC} use HTTP/2: over TLS negotiated by ALPN for {@code HTTPS} groups, in cleartext with
   * prior knowledge (h2c) for {@code HTTP} groups.
   */
  public enum ProtocolVersion {
    /** HTTP/1.1 to targets (ALB's default). */
    HTTP1,
    /** HTTP/2 to targets. */
    HTTP2,
    /** gRPC over HTTP/2 to targets; a gateway forwards only gRPC requests to such a group. */
    GRPC;

    /** Whether requests go to targets over HTTP/2. */
    public boolean usesHttp2() {
      return this != HTTP1;
    }
  }

  /** ALB's default deregistration delay: 300 s. */
  public static final Duration DEFAULT_DEREGISTRATION_DELAY = Duration.ofSeconds(300);

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?");

  private final String name;
  private final Protocol protocol;
  private final ProtocolVersion protocolVersion;
  private final BalancingAlgorithm algorithm;
  private final Stickiness stickiness;
  private final Duration slowStart;
  private final Duration deregistrationDelay;
  private final boolean healthCheckEnabled;
  private final boolean failOpen;
  private final int minimumHealthyTargetsCount;
  private final int minimumHealthyTargetsPercentage;
  private final boolean crossZoneEnabled;
  private final HashKey hashKey;

  private TargetGroupConfig(Builder b) {
    this.name = b.name;
    this.protocol = b.protocol;
    this.protocolVersion = b.protocolVersion;
    this.algorithm = b.algorithm;
    this.stickiness = b.stickiness;
    this.slowStart = b.slowStart;
    this.deregistrationDelay = b.deregistrationDelay;
    this.healthCheckEnabled = b.healthCheckEnabled;
    this.failOpen = b.failOpen;
    this.minimumHealthyTargetsCount = b.minimumHealthyTargetsCount;
    this.minimumHealthyTargetsPercentage = b.minimumHealthyTargetsPercentage;
    this.crossZoneEnabled = b.crossZoneEnabled;
    this.hashKey = b.hashKey;
  }

  /** A builder with ALB's defaults for a group of the given name. */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** A builder pre-filled with this configuration. */
  public Builder toBuilder() {
    return new Builder(name).protocol(protocol).protocolVersion(protocolVersion).algorithm(algorithm).stickiness(stickiness).slowStart(slowStart)
        .deregistrationDelay(deregistrationDelay).healthCheckEnabled(healthCheckEnabled).failOpen(failOpen)
        .minimumHealthyTargetsCount(minimumHealthyTargetsCount)
        .minimumHealthyTargetsPercentage(minimumHealthyTargetsPercentage).crossZoneEnabled(crossZoneEnabled)
        .hashKey(hashKey);
  }

  /** The group name (1-32 characters: letters, digits and inner hyphens). */
  public String name() {
    return name;
  }

  /** The protocol used to reach targets (default {@code HTTP}). */
  public Protocol protocol() {
    return protocol;
  }

  /** The HTTP version used to reach targets (ALB's {@code ProtocolVersion}; default {@code HTTP1}). */
  public ProtocolVersion protocolVersion() {
    return protocolVersion;
  }

  /** {@code load_balancing.algorithm.type} (default {@code round_robin}). */
  public BalancingAlgorithm algorithm() {
    return algorithm;
  }

  /** {@code stickiness.*} (default off). */
  public Stickiness stickiness() {
    return stickiness;
  }

  /** {@code slow_start.duration_seconds}: zero when off (the default), else 30-900 s. */
  public Duration slowStart() {
    return slowStart;
  }

  /** {@code deregistration_delay.timeout_seconds}: 0-3600 s, default 300 s. */
  public Duration deregistrationDelay() {
    return deregistrationDelay;
  }

  /**
   * {@code HealthCheckEnabled}: when true, new targets start {@code initial} and are routed to only once a health
   * checker marks them healthy; when false (the default in core, which does no checking itself) targets are
   * {@code unavailable} and routable at once, as ALB does for Lambda targets.
   */
  public boolean healthCheckEnabled() {
    return healthCheckEnabled;
  }

  /** Whether the group routes to every non-draining target when too few are healthy (default true, as ALB). */
  public boolean failOpen() {
    return failOpen;
  }

  /**
   * {@code target_group_health.unhealthy_state_routing.minimum_healthy_targets.count} (default 1): with fewer
   * routable targets than this, the group fails open (or, with fail-open off, routes to the healthy ones only).
   */
  public int minimumHealthyTargetsCount() {
    return minimumHealthyTargetsCount;
  }

  /** {@code ...minimum_healthy_targets.percentage}: 0 for {@code off} (the default), else 1-100. */
  public int minimumHealthyTargetsPercentage() {
    return minimumHealthyTargetsPercentage;
  }

  /**
   * {@code load_balancing.cross_zone.enabled} (default true: ALB's load-balancer-level setting, which is always on).
   * When off, a balancer that has a zone ({@link SelectionContext#zone()}: the client's or listener's
   * {@code localZone}) routes only to targets in its own zone while that zone has at least
   * {@link #minimumHealthyTargetsCount()} (and {@link #minimumHealthyTargetsPercentage()}) routable targets, and to
   * the whole group otherwise (per-zone fail-over); a balancer without a zone, and targets without one, see the whole
   * group. When on, zones are ignored.
   */
  public boolean crossZoneEnabled() {
    return crossZoneEnabled;
  }

  @Override
  public String toString() {
    return "TargetGroupConfig{" + name + ", " + protocol
        + (protocolVersion == ProtocolVersion.HTTP1 ? "" : ", " + protocolVersion) + ", " + algorithm.name() + ", " + stickiness
        + ", slowStart=" + slowStart.getSeconds() + "s, deregistrationDelay=" + deregistrationDelay.getSeconds()
        + "s, healthCheckEnabled=" + healthCheckEnabled + ", failOpen=" + failOpen
        + (crossZoneEnabled ? "" : ", crossZone=off") + "}";
  }

  /**
   * What requests are hashed by when the algorithm {@linkplain BalancingAlgorithm#usesHashKey() uses a hash key}
   * ({@code load_balancing.hash_key}; default the source IP). The client's {@code hashKey(..)} on a request wins.
   */
  public HashKey hashKey() {
    return hashKey;
  }

  /** Builds a {@link TargetGroupConfig}. */
  public static final class Builder {
    private final String name;
    private Protocol protocol = Protocol.HTTP;
    private ProtocolVersion protocolVersion = ProtocolVersion.HTTP1;
    private BalancingAlgorithm algorithm = BalancingAlgorithm.roundRobin();
    private Stickiness stickiness = Stickiness.disabled();
    private Duration slowStart = Duration.ZERO;
    private Duration deregistrationDelay = DEFAULT_DEREGISTRATION_DELAY;
    private boolean healthCheckEnabled;
    private boolean failOpen = true;
    private int minimumHealthyTargetsCount = 1;
    private int minimumHealthyTargetsPercentage;
    private boolean crossZoneEnabled = true;
    private HashKey hashKey = HashKey.sourceIp();

    private Builder(String name) {
      this.name = name;
    }

    /** Sets the protocol used to reach targets. */
    public Builder protocol(Protocol protocol) {
      this.protocol = Checks.notNull("protocol", protocol);
      return this;
    }

    /** Sets the HTTP version used to reach targets (ALB's {@code ProtocolVersion}: HTTP1, HTTP2 or GRPC). */
    public Builder protocolVersion(ProtocolVersion version) {
      this.protocolVersion = Checks.notNull("protocolVersion", version);
      return this;
    }

    /** Sets the balancing algorithm. */
    public Builder algorithm(BalancingAlgorithm algorithm) {
      this.algorithm = Checks.notNull("load_balancing.algorithm.type", algorithm);
      return this;
    }

    /** Sets the stickiness. */
    public Builder stickiness(Stickiness stickiness) {
      this.stickiness = Checks.notNull("stickiness", stickiness);
      return this;
    }

    /** Sets the slow start duration (zero = off, else 30-900 s). */
    public Builder slowStart(Duration slowStart) {
      this.slowStart = Checks.notNull("slow_start.duration_seconds", slowStart);
      return this;
    }

    /** Sets the deregistration delay (0-3600 s). */
    public Builder deregistrationDelay(Duration delay) {
      this.deregistrationDelay = Checks.notNull("deregistration_delay.timeout_seconds", delay);
      return this;
    }

    /** Sets whether a health checker drives the targets' health. */
    public Builder healthCheckEnabled(boolean enabled) {
      this.healthCheckEnabled = enabled;
      return this;
    }

    /** Sets whether the group fails open when too few targets are healthy. */
    public Builder failOpen(boolean failOpen) {
      this.failOpen = failOpen;
      return this;
    }

    /** Sets the minimum healthy target count (at least 1). */
    public Builder minimumHealthyTargetsCount(int count) {
      this.minimumHealthyTargetsCount = count;
      return this;
    }

    /** Sets the minimum healthy target percentage (0 = off, else 1-100). */
    public Builder minimumHealthyTargetsPercentage(int percentage) {
      this.minimumHealthyTargetsPercentage = percentage;
      return this;
    }

    /** Sets {@code load_balancing.cross_zone.enabled} (default true). */
    public Builder crossZoneEnabled(boolean enabled) {
      this.crossZoneEnabled = enabled;
      return this;
    }

    /** Sets what requests are hashed by for consistent hashing ({@code load_balancing.hash_key}). */
    public Builder hashKey(HashKey hashKey) {
      this.hashKey = Checks.notNull("load_balancing.hash_key", hashKey);
      return this;
    }

    /** Validates the settings, alone and together, and builds the configuration. */
    public TargetGroupConfig build() {
      Checks.notNull("name", name);
      if (!NAME.matcher(name).matches()) {
        throw Checks.invalid("name", "\"" + name + "\"",
            "1-32 characters of letters, digits and hyphens, not starting or ending with a hyphen");
      }
      long slow = slowStart.getSeconds();
      if (slowStart.getNano() != 0 || (slow != 0 && (slow < 30 || slow > 900))) {
        throw Checks.invalid("slow_start.duration_seconds", seconds(slowStart), "0 (off) or 30-900");
      }
      if (slow != 0 && !algorithm.supportsSlowStart()) {
        throw Checks.invalid("slow_start.duration_seconds", slow,
            "0 with load_balancing.algorithm.type " + algorithm.name() + ", which does not support slow start");
      }
      if (stickiness.enabled() && !algorithm.supportsStickiness()) {
        throw Checks.invalid("stickiness.enabled", true, "false with load_balancing.algorithm.type "
            + algorithm.name() + ", which does not support sticky sessions");
      }
      long dereg = deregistrationDelay.getSeconds();
      if (deregistrationDelay.getNano() != 0 || dereg < 0 || dereg > 3600) {
        throw Checks.invalid("deregistration_delay.timeout_seconds", seconds(deregistrationDelay), "0-3600");
      }
      Checks.range("target_group_health.unhealthy_state_routing.minimum_healthy_targets.count",
          minimumHealthyTargetsCount, 1, Integer.MAX_VALUE);
      Checks.range("target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage",
          minimumHealthyTargetsPercentage, 0, 100);
      return new TargetGroupConfig(this);
    }

    private static String seconds(Duration d) {
      return d.getNano() == 0 ? Long.toString(d.getSeconds()) : d.toMillis() / 1000.0 + "";
    }
  }
}
