package dev.loadstar.core.discovery;

import dev.loadstar.core.config.Checks;
import dev.loadstar.core.config.Durations;
import dev.loadstar.core.config.InvalidValueException;
import dev.loadstar.core.config.Params;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The immutable discovery settings of one target group: its named sources, in order, the removal delay (the
 * flapping window) and the default readiness timeout. Reusable: each {@link TargetDiscovery#start} starts every
 * source afresh.
 *
 * <p>Built with {@link #builder()} or read from a declarative configuration's {@code discovery} object with
 * {@link #fromJson}; both validate everything and fail with {@code name: value (expected: ...)}.
 */
public final class DiscoveryConfig {

  /** Default removal delay: a target no source reports any more stays registered this long (10 s). */
  public static final Duration DEFAULT_REMOVAL_DELAY = Duration.ofSeconds(10);
  /** Default timeout of {@link TargetDiscovery#whenReady()}: 30 s. */
  public static final Duration DEFAULT_READY_TIMEOUT = Duration.ofSeconds(30);
  /** The longest removal delay accepted: 1 h. */
  public static final Duration MAX_REMOVAL_DELAY = Duration.ofHours(1);

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  private final Map<String, TargetSource> sources;
  private final Duration removalDelay;
  private final Duration readyTimeout;

  private DiscoveryConfig(Map<String, TargetSource> sources, Duration removalDelay, Duration readyTimeout) {
    this.sources = Collections.unmodifiableMap(sources);
    this.removalDelay = removalDelay;
    this.readyTimeout = readyTimeout;
  }

  /** An empty builder with the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Reads a {@code discovery} object: {@code sources} (an array of objects, each with a {@code type}, an
   * optional {@code name} and the type's parameters), {@code removalDelay} and {@code readyTimeout}
   * (durations such as {@code 10s}). Errors name the parameter by its path, e.g.
   * {@code sources[1].port: 0 (expected: 1-65535)}.
   */
  public static DiscoveryConfig fromJson(JsonObject json) {
    Checks.notNull("discovery", json);
    Params p = new Params(json);
    Builder b = builder();
    Duration removal = p.duration("removalDelay");
    if (removal != null) {
      b.removalDelay(removal);
    }
    Duration ready = p.duration("readyTimeout");
    if (ready != null) {
      b.readyTimeout(ready);
    }
    JsonArray list = p.array("sources");
    p.rejectUnknown();
    if (list == null) {
      throw Checks.invalid("sources", "null", "an array of sources, each an object with a type");
    }
    for (int i = 0; i < list.size(); i++) {
      String path = "sources[" + i + "]";
      Object entry = list.getValue(i);
      if (!(entry instanceof JsonObject)) {
        throw Checks.invalid(path, Params.render(entry), "an object with a type");
      }
      JsonObject params = ((JsonObject) entry).copy();
      Object type = params.remove("type");
      Object name = params.remove("name");
      if (type != null && !(type instanceof String)) {
        throw Checks.invalid(path + ".type", Params.render(type), "a string");
      }
      if (name != null && !(name instanceof String)) {
        throw Checks.invalid(path + ".name", Params.render(name), "a string");
      }
      TargetSource source;
      try {
        source = TargetSource.create((String) type, params);
      } catch (InvalidValueException e) {
        throw e.within(path);
      } catch (IllegalArgumentException | NullPointerException e) {
        throw new IllegalArgumentException(path + "." + e.getMessage(), e);
      }
      try {
        b.addSource((String) name, source);
      } catch (InvalidValueException e) {
        throw e.within(path);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(path + "." + e.getMessage(), e);
      }
    }
    return b.build();
  }

  /** The sources by name, in the order they were added (earlier sources win conflicts). */
  public Map<String, TargetSource> sources() {
    return sources;
  }

  /**
   * How long a target that no source reports any more stays registered before discovery deregisters it (and it
   * starts draining); if a source reports it again meanwhile it stays, health and all. Zero removes at once.
   */
  public Duration removalDelay() {
    return removalDelay;
  }

  /** The timeout of {@link TargetDiscovery#whenReady()}. */
  public Duration readyTimeout() {
    return readyTimeout;
  }

  @Override
  public String toString() {
    return "DiscoveryConfig{sources=" + sources.keySet() + ", removalDelay=" + Durations.format(removalDelay)
        + ", readyTimeout=" + Durations.format(readyTimeout) + "}";
  }

  /** Builds a {@link DiscoveryConfig}. */
  public static final class Builder {
    private final List<String> names = new ArrayList<>();
    private final List<TargetSource> sources = new ArrayList<>();
    private Duration removalDelay = DEFAULT_REMOVAL_DELAY;
    private Duration readyTimeout = DEFAULT_READY_TIMEOUT;

    private Builder() {
    }

    /** Adds a source named after its type ({@code dns}, then {@code dns-2}, ... when the type repeats). */
    public Builder addSource(TargetSource source) {
      return addSource(null, source);
    }

    /**
     * Adds a named source (1-64 letters, digits, dots, underscores and hyphens, unique in the group;
     * {@code null} names it after its type).
     */
    public Builder addSource(String name, TargetSource source) {
      Checks.notNull("source", source);
      if (name != null) {
        if (!NAME.matcher(name).matches()) {
          throw Checks.invalid("name", Params.render(name),
              "1-64 letters, digits, dots, underscores and hyphens, starting with a letter or digit");
        }
        if (names.contains(name)) {
          throw Checks.invalid("name", Params.render(name), "a name no other source of the group uses");
        }
      }
      names.add(name);
      sources.add(source);
      return this;
    }

    /** Sets the removal delay (0-1 h, default 10 s). */
    public Builder removalDelay(Duration delay) {
      this.removalDelay = Objects.requireNonNull(delay, "removalDelay");
      return this;
    }

    /** Sets the default readiness timeout (> 0, default 30 s). */
    public Builder readyTimeout(Duration timeout) {
      this.readyTimeout = Objects.requireNonNull(timeout, "readyTimeout");
      return this;
    }

    /** Validates the settings and builds the configuration. */
    public DiscoveryConfig build() {
      if (sources.isEmpty()) {
        throw Checks.invalid("sources", "[]", "at least one source");
      }
      Durations.nonNegative("removalDelay", removalDelay);
      if (removalDelay.compareTo(MAX_REMOVAL_DELAY) > 0) {
        throw Checks.invalid("removalDelay", Durations.format(removalDelay), "0-1h");
      }
      Durations.positive("readyTimeout", readyTimeout);
      Set<String> used = new HashSet<>();
      for (String n : names) {
        if (n != null) {
          used.add(n);
        }
      }
      Map<String, TargetSource> named = new LinkedHashMap<>();
      for (int i = 0; i < sources.size(); i++) {
        String n = names.get(i);
        if (n == null) {
          String type = sources.get(i).type();
          n = type;
          for (int k = 2; used.contains(n); k++) {
            n = type + "-" + k;
          }
          used.add(n);
        }
        named.put(n, sources.get(i));
      }
      return new DiscoveryConfig(named, removalDelay, readyTimeout);
    }
  }
}
