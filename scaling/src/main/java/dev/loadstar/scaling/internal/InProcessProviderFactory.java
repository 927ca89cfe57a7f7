package dev.loadstar.scaling.internal;

import dev.loadstar.scaling.providers.InProcessProvider;
import dev.loadstar.scaling.spi.InstanceProvider;
import dev.loadstar.scaling.spi.InstanceProviderFactory;
import dev.loadstar.core.time.TimeSource;
import io.vertx.core.Vertx;
import java.util.List;

/** Creates the {@link InProcessProvider} for the {@code ServiceLoader}. */
public final class InProcessProviderFactory implements InstanceProviderFactory {

  /** For the {@code ServiceLoader}. */
  public InProcessProviderFactory() {
  }

  @Override
  public String name() {
    return InProcessProvider.NAME;
  }

  @Override
  public InstanceProvider create(Vertx vertx) {
    return create(vertx, TimeSource.system(vertx));
  }

  @Override
  public InstanceProvider create(Vertx vertx, TimeSource time) {
    return new InProcessProvider(vertx, List.of(), time);
  }
}
