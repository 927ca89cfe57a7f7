package dev.loadstar.scaling.spi;

import dev.loadstar.core.config.Checks;
import dev.loadstar.core.spi.ProviderContext;
import dev.loadstar.core.time.TimeSource;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/**
 * What an {@link InstanceProviderFactory} makes a provider from: the provider's parameters (settings of the
 * provider itself, such as its {@code zones}; what to launch comes with each launch in the
 * {@link dev.loadstar.scaling.LaunchTemplate}), the Vert.x instance it runs on, and the time source it keeps time
 * with (the scaling group's).
 */
public class InstanceProviderContext extends ProviderContext {

  private final Vertx vertx;
  private final TimeSource time;

  /** A context over the given parameters ({@code null} reads as none). */
  public InstanceProviderContext(Vertx vertx, TimeSource time, JsonObject parameters) {
    super(parameters);
    this.vertx = Checks.notNull("vertx", vertx);
    this.time = Checks.notNull("time", time);
  }

  /** A context without parameters on the system clock and {@code vertx}'s timers. */
  public InstanceProviderContext(Vertx vertx) {
    this(vertx, TimeSource.system(vertx), null);
  }

  /** The Vert.x instance the provider uses (servers, clients, timers, blocking work). */
  public Vertx vertx() {
    return vertx;
  }

  /** Where the provider reads the time and sets its timers (timeouts, readiness probes, launch times). */
  public TimeSource time() {
    return time;
  }
}
