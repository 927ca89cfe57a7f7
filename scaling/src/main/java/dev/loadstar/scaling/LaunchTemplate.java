package dev.loadstar.scaling;

import dev.loadstar.core.config.Checks;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What to launch: the name of an {@link dev.loadstar.scaling.spi.InstanceProvider} and the parameters it reads
 * (its "user data"), like an EC2 launch template.
 *
 * <p>Immutable. Which parameters mean something is up to the provider (see docs/scaling.md).
 */
public final class LaunchTemplate {

  private final String provider;
  private final Map<String, String> parameters;

  private LaunchTemplate(String provider, Map<String, String> parameters) {
    this.provider = provider;
    this.parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
  }

  /** A template for the named provider without parameters. */
  public static LaunchTemplate of(String provider) {
    return builder(provider).build();
  }

  /** A builder for a template of the named provider. */
  public static Builder builder(String provider) {
    return new Builder(provider);
  }

  /** The provider name, e.g. {@code in-process}, {@code process} or {@code kubernetes}. */
  public String provider() {
    return provider;
  }

  /** The provider parameters (read-only). */
  public Map<String, String> parameters() {
    return parameters;
  }

  /** One parameter, or {@code defaultValue} when it is not set. */
  public String parameter(String name, String defaultValue) {
    return parameters.getOrDefault(name, defaultValue);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LaunchTemplate t && provider.equals(t.provider) && parameters.equals(t.parameters);
  }

  @Override
  public int hashCode() {
    return Objects.hash(provider, parameters);
  }

  @Override
  public String toString() {
    return "LaunchTemplate{" + provider + " " + parameters + "}";
  }

  /** Builds a {@link LaunchTemplate}. */
  public static final class Builder {
    private final String provider;
    private final Map<String, String> parameters = new LinkedHashMap<>();

    private Builder(String provider) {
      this.provider = provider;
    }

    /** Sets one parameter. */
    public Builder parameter(String name, String value) {
      parameters.put(Checks.notBlank("parameter name", name), Checks.notNull(name, value));
      return this;
    }

    /** Sets several parameters. */
    public Builder parameters(Map<String, String> values) {
      values.forEach(this::parameter);
      return this;
    }

    /** Validates and builds the template. */
    public LaunchTemplate build() {
      Checks.notBlank("provider", provider);
      return new LaunchTemplate(provider, parameters);
    }
  }
}
