package dev.loadstar.core;

import dev.loadstar.core.internal.Checks;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * An endpoint a target group can route to: an id, a host and port, a weight, an optional zone and metadata.
 *
 * <p>Immutable and validated at construction; two targets are equal when every field is equal.
 */
public final class Target {

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

  private Target(Builder b) {
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

  /** A builder for a target with the given id, host and port. */
  public static Builder builder(String id, String host, int port) {
    return new Builder(id, host, port);
  }

  /** A builder pre-filled with this target's fields. */
  public Builder toBuilder() {
    Builder b = new Builder(id, host, port).weight(weight).zone(zone);
    b.metadata.putAll(metadata);
    return b;
  }

  /** The target's id, unique within a target group (e.g. an instance id). */
  public String id() {
    return id;
  }

  /** The host name or IP address requests are sent to. */
  public String host() {
    return host;
  }

  /** The port requests are sent to (1-65535). */
  public int port() {
    return port;
  }

  /** The relative weight (0-{@value #MAX_WEIGHT}); 0 means the target receives no new requests. */
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

  /** {@code host:port}, bracketing IPv6 literals. */
  public String address() {
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
        && Objects.equals(zone, t.zone) && metadata.equals(t.metadata);
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, host, port, weight, zone, metadata);
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

    private Builder(String id, String host, int port) {
      this.id = id;
      this.host = host;
      this.port = port;
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
      Checks.range("port", port, 1, 65535);
      Checks.range("weight", weight, 0, MAX_WEIGHT);
      if (zone != null) {
        Checks.notBlank("zone", zone);
      }
      return new Target(this);
    }
  }
}
