package dev.loadstar.samples.extension;

import dev.loadstar.core.config.Checks;
import dev.loadstar.core.config.Params;
import dev.loadstar.scaling.spi.InstanceProvider;
import dev.loadstar.scaling.spi.InstanceProviderContext;
import dev.loadstar.scaling.spi.InstanceProviderFactory;

/**
 * Makes the {@code hello} instance provider ({@link HelloProvider}). Parameter: {@code host}, the address its
 * servers listen on (default {@code 127.0.0.1}).
 */
public final class HelloProviderFactory implements InstanceProviderFactory {

  /** For the {@code ServiceLoader}. */
  public HelloProviderFactory() {
  }

  @Override
  public String name() {
    return HelloProvider.NAME;
  }

  @Override
  public InstanceProvider create(InstanceProviderContext context) {
    Params params = context.params();
    String host = params.string("host");
    params.rejectUnknown();
    return new HelloProvider(context.vertx(), context.time(), host == null ? "127.0.0.1" : Checks.notBlank("host",
        host));
  }
}
