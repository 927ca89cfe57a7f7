package dev.loadstar.core.vertx;

import dev.loadstar.core.config.Checks;
import io.vertx.core.net.Address;

/**
 * A Vert.x {@link Address} naming a Loadstar target group: pass it as the server of a request
 * ({@code new RequestOptions().setServer(TargetGroupAddress.of("orders"))}) to an {@code HttpClient} built with a
 * {@link LoadstarAddressResolver}.
 *
 * @param name the target group name
 */
public record TargetGroupAddress(String name) implements Address {

  /** Validates the name. */
  public TargetGroupAddress {
    Checks.notBlank("name", name);
  }

  /** The address of the named target group. */
  public static TargetGroupAddress of(String name) {
    return new TargetGroupAddress(name);
  }
}
