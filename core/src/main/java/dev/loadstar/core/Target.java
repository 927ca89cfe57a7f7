package dev.loadstar.core;

import dev.loadstar.core.config.Checks;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * An endpoint a target group can route to: an id, a kind, a weight, an optional zone and metadata, and what the kind
 * needs to be reached: a host and port ({@link Kind#INSTANCE}, {@link Kind#IP}), an in-process handler
 * ({@link Kind#FUNCTION}) or another balancer ({@link Kind#BALANCER}).
 *
 * <p>Function and balancer targets have no address of their own: their {@link #host()} is the synthetic
 * {@value #FUNCTION_HOST} or {@value #BALANCER_HOST} (a reserved name that never resolves) and their {@link #port()}
 * is 0. Every kind is registered, selected, counted and described like any other target.
 *
 * <p>Immutable and validated at construction; two targets are equal when every field is equal (handlers and
 * delegates by identity).
 */
public final class Target {

  /** What a target is and how a request reaches it (ALB's target types). */
  public enum Kind {
    /** A host and port identified by an instance id (ALB's {@code instance}); the default. */
    INSTANCE("instance", "instance"),
    /** A host and port identified by its address (ALB's {@code ip}); reached exactly as an instance. */
    IP("ip", "ip"),
    /** An in-process handler ({@link TargetFunction}), called without a network hop (ALB's {@code lambda}). */
    FUNCTION("function", "lambda"),
    /** Another balancer ({@link Balancer}): a target group, or a listener (ALB's {@code alb} behind an NLB). */
    BALANCER("balancer", "alb");

    private final String configName;
    private final String albName;

    Kind(String configName, String albName) {
      this.configName = configName;
      this.albName = albName;
    }

    /** The name configuration files use: {@code instance}, {@code ip}, {@code function} or {@code balancer}. */
    public String configName() {
      return configName;
    }

    /** ALB's {@code TargetType}: {@code instance}, {@code ip}, {@code lambda} or {@code alb}. */
    public String albName() {
      return albName;
    }

    /** Whether targets of this kind are reached at their own host and port. */
    public boolean isNetwork() {
      return this == INSTANCE || this == IP;
    }

    /** The kind with this configuration name (or ALB name). */
    public static Kind byName(String name) {
      for (Kind k : values()) {
        if (k.configName.equals(name) || k.albName.equals(name)) {
          return k;
        }
      }
      throw Checks.invalid("kind", name, "instance, ip, function or balancer");
    }
  }

  /** The synthetic host of function targets. */
  public static final String FUNCTION_HOST = "function.invalid";
  /** The synthetic host of balancer targets. */
  public static final String BALANCER_HOST = "balancer.invalid";

  /** The default weight of a target. */
  public static final int DEFAULT_WEIGHT = 1;
  /** The largest weight a target may carry. */
  public static final int MAX_WEIGHT = 10_000;

  private final String id;
  private final String host;
  private final int port;
  private final int weight;
  private final String zone;
  private final Map<String, String> metadata;
  private final Kind kind;
  private final TargetFunction function;
  private final Balancer balancer;
  private final boolean healthCheckEnabled;

  private Target(Builder b) {
    this.kind = b.kind;
    this.function = b.function;
    this.balancer = b.balancer;
    this.healthCheckEnabled = b.healthCheckEnabled != null ? b.healthCheckEnabled : b.kind.isNetwork();
    this.id = b.id;
    this.host = b.host;
    this.port = b.port;
    this.weight = b.weight;
    this.zone = b.zone;
    this.metadata = Collections.unmodifiableMap(new LinkedHashMap<>(b.metadata));
  }

  /** A target with weight {@value #DEFAULT_WEIGHT} and no zone. */
  public static Target of(String id, String host, int port) {
    return builder(id, host, port).build();
  }

  /** A builder for an {@link Kind#INSTANCE} target with the given id, host and port. */
  public static Builder builder(String id, String host, int port) {
    return new Builder(id, host, port, Kind.INSTANCE, null, null);
  }

  /** An in-process function target with weight {@value #DEFAULT_WEIGHT}, no zone and health checks off. */
  public static Target function(String id, TargetFunction handler) {
    return functionBuilder(id, handler).build();
  }

  /** A builder for an in-process function target. */
  public static Builder functionBuilder(String id, TargetFunction handler) {
    return new Builder(id, FUNCTION_HOST, 0, Kind.FUNCTION, Checks.notNull("handler", handler), null);
  }

  /** A balancer target handing its requests to {@code delegate}, with weight {@value #DEFAULT_WEIGHT} and no zone. */
  public static Target balancer(String id, Balancer delegate) {
    return balancerBuilder(id, delegate).build();
  }

  /** A builder for a balancer target handing its requests to {@code delegate}. */
  public static Builder balancerBuilder(String id, Balancer delegate) {
    return new Builder(id, BALANCER_HOST, 0, Kind.BALANCER, null, Checks.notNull("delegate", delegate));
  }

  /** A builder pre-filled with this target's fields. */
  public Builder toBuilder() {
    Builder b = new Builder(id, host, port, kind, function, balancer).weight(weight).zone(zone);
    b.healthCheckEnabled = healthCheckEnabled;
    b.metadata.putAll(metadata);
    return b;
  }

  /** The target's kind. */
  public Kind kind() {
    return kind;
  }

  /** The handler of a {@link Kind#FUNCTION} target, else {@code null}. */
  public TargetFunction function() {
    return function;
  }

  /** The delegate of a {@link Kind#BALANCER} target, else {@code null}. */
  public Balancer balancer() {
    return balancer;
  }

  /**
   * Whether the group's active health checks apply to this target when the group has them: always for instance and
   * ip targets; for function targets only when enabled (off by default, as ALB's Lambda health checks); never for
   * balancer targets, which are watched passively (the nested balancer checks its own targets). A target the checks
   * do not apply to is {@code unavailable} (routable) until passive detection says otherwise.
   */
  public boolean healthCheckEnabled() {
    return healthCheckEnabled;
  }

  /** Whether both targets are reached the same way: same kind, host, port, handler and delegate. */
  public boolean sameEndpoint(Target other) {
    return kind == other.kind && host.equals(other.host) && port == other.port && function == other.function
        && balancer == other.balancer;
  }

  /** The target's id, unique within a target group (e.g. an instance id). */
  public String id() {
    return id;
  }

  /** The host name or IP address requests are sent to ({@link #FUNCTION_HOST} or {@link #BALANCER_HOST} if none). */
  public String host() {
    return host;
  }

  /** The port requests are sent to (1-65535; 0 for function and balancer targets). */
  public int port() {
    return port;
  }

  /**
   * The relative weight (0-{@value #MAX_WEIGHT}); 0 means the target receives no new requests (retries included),
   * unless every selectable target has weight 0, in which case they share requests equally.
   */
  public int weight() {
    return weight;
  }

  /** The availability zone, or {@code null} when none is set. */
  public String zone() {
    return zone;
  }

  /** Free-form metadata (read-only). */
  public Map<String, String> metadata() {
    return metadata;
  }

  /**
   * {@code host:port}, bracketing IPv6 literals; {@code function:<id>} for a function target and
   * {@code <balancer type> <name>} (e.g. {@code listener front}) for a balancer target.
   */
  public String address() {
    if (kind == Kind.FUNCTION) {
      return "function:" + id;
    }
    if (kind == Kind.BALANCER) {
      return balancer.balancerType() + " " + balancer.balancerName();
    }
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof Target)) {
      return false;
    }
    Target t = (Target) o;
    return port == t.port && weight == t.weight && id.equals(t.id) && host.equals(t.host)
        && Objects.equals(zone, t.zone) && metadata.equals(t.metadata) && kind == t.kind && function == t.function
        && balancer == t.balancer && healthCheckEnabled == t.healthCheckEnabled;
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, host, port, weight, zone, metadata, kind, System.identityHashCode(function),
        System.identityHashCode(balancer));
  }

  @Override
  public String toString() {
    return "Target{" + id + " " + address() + (weight != DEFAULT_WEIGHT ? " weight=" + weight : "")
        + (zone != null ? " zone=" + zone : "") + "}";
  }

  /** Builds a {@link Target}; {@link #build()} validates every field. */
  public static final class Builder {
    private final String id;
    private final String host;
    private final int port;
    private int weight = DEFAULT_WEIGHT;
    private String zone;
    private final Map<String, String> metadata = new LinkedHashMap<>();
    private Kind kind;
    private final TargetFunction function;
    private final Balancer balancer;
    private Boolean healthCheckEnabled;

    private Builder(String id, String host, int port, Kind kind, TargetFunction function, Balancer balancer) {
      this.id = id;
      this.host = host;
      this.port = port;
      this.kind = kind;
      this.function = function;
      this.balancer = balancer;
    }

    /**
     * Sets the kind of a host-and-port target: {@link Kind#INSTANCE} (the default) or {@link Kind#IP}. Function and
     * balancer targets are made by their own factories.
     */
    public Builder kind(Kind kind) {
      Checks.notNull("kind", kind);
      if (!kind.isNetwork() || !this.kind.isNetwork()) {
        throw Checks.invalid("kind", kind.configName(), this.kind.isNetwork() ? "instance or ip for a host and port"
            : this.kind.configName() + ", as made by Target." + this.kind.configName() + "Builder");
      }
      this.kind = kind;
      return this;
    }

    /**
     * Sets whether the group's active health checks apply (function targets only; off by default: the handler is
     * then called with the health check's request, as ALB invokes a Lambda for its health checks).
     */
    public Builder healthCheckEnabled(boolean enabled) {
      this.healthCheckEnabled = enabled;
      return this;
    }

    /** Sets the relative weight (0-{@value #MAX_WEIGHT}, default {@value #DEFAULT_WEIGHT}). */
    public Builder weight(int weight) {
      this.weight = weight;
      return this;
    }

    /** Sets the availability zone ({@code null} for none). */
    public Builder zone(String zone) {
      this.zone = zone;
      return this;
    }

    /** Adds one metadata entry. */
    public Builder metadata(String key, String value) {
      metadata.put(Checks.notNull("metadata key", key), Checks.notNull("metadata[" + key + "]", value));
      return this;
    }

    /** Adds all metadata entries. */
    public Builder metadata(Map<String, String> entries) {
      entries.forEach(this::metadata);
      return this;
    }

    /** Validates and builds the target. */
    public Target build() {
      Checks.notBlank("id", id);
      Checks.notBlank("host", host);
      if (kind.isNetwork()) {
        Checks.range("port", port, 1, 65535);
        if (Boolean.FALSE.equals(healthCheckEnabled)) {
          throw Checks.invalid("healthCheckEnabled", false, "true for " + kind.configName()
              + " targets (as ALB, health checks of instance and ip targets cannot be turned off)");
        }
      }
      if (kind == Kind.BALANCER && Boolean.TRUE.equals(healthCheckEnabled)) {
        throw Checks.invalid("healthCheckEnabled", true,
            "false for balancer targets (watched passively; the nested balancer checks its own targets)");
      }
      Checks.range("weight", weight, 0, MAX_WEIGHT);
      if (zone != null) {
        Checks.notBlank("zone", zone);
      }
      return new Target(this);
    }
  }
}
