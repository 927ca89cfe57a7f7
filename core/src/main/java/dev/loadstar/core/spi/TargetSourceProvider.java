package dev.loadstar.core.spi;

import dev.loadstar.core.discovery.TargetSource;
import io.vertx.core.json.JsonObject;

/**
 * Makes a type of {@link TargetSource} available to configuration by name; found through
 * {@link java.util.ServiceLoader}.
 *
 * <p>Register an implementation in {@code META-INF/services/dev.loadstar.core.spi.TargetSourceProvider}. The
 * built-in types ({@code static}, {@code dns}, {@code file}) take precedence over providers of the same name.
 */
public interface TargetSourceProvider {

  /** The type name, e.g. {@code kubernetes}. */
  String type();

  /**
   * A source made from its parameters (the configuration entry without {@code type} and {@code name}). Validates
   * every parameter, rejects unknown ones, and fails with an {@link IllegalArgumentException} reading
   * {@code name: value (expected: ...)} that names the parameter. Must not start anything.
   */
  TargetSource create(JsonObject params);
}
