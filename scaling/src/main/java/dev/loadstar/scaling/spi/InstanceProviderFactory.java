package dev.loadstar.scaling.spi;

import dev.loadstar.core.time.TimeSource;
import io.vertx.core.Vertx;

/**
 * Creates an {@link InstanceProvider} by name; implementations are listed in
 * {@code META-INF/services/dev.loadstar.scaling.spi.InstanceProviderFactory} and loaded with
 * {@link java.util.ServiceLoader}. Implementations need a public no-argument constructor.
 */
public interface InstanceProviderFactory {

  /** The name launch templates use for this provider. */
  String name();

  /** A new provider using the given Vert.x instance; the scaling group that asked for it closes it. */
  InstanceProvider create(Vertx vertx);

  /**
   * A new provider using the given Vert.x instance and keeping time (timeouts, launch times) with {@code time}, the
   * time source of the scaling group that asked for it. The default ignores the time source.
   */
  default InstanceProvider create(Vertx vertx, TimeSource time) {
    return create(vertx);
  }
}
