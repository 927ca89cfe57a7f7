package dev.loadstar.core.discovery;

import dev.loadstar.core.Target;
import dev.loadstar.core.config.Checks;
import dev.loadstar.core.config.Params;
import dev.loadstar.core.spi.ProviderContext;
import dev.loadstar.core.spi.TargetSourceProvider;
import io.vertx.core.Future;
import java.util.List;

/**
 * A provider from "another module": registered in the test class path's
 * {@code META-INF/services/dev.loadstar.core.spi.TargetSourceProvider}, found by its type name.
 */
public final class FixedTestSourceProvider implements TargetSourceProvider {

  @Override
  public String name() {
    return "test-fixed";
  }

  @Override
  public TargetSource create(ProviderContext context) {
    Params params = context.params();
    Integer port = params.integer("port");
    params.rejectUnknown();
    Checks.range("port", port == null ? 0 : port, 1, 65535);
    return new TargetSource() {
      @Override
      public String type() {
        return "test-fixed";
      }

      @Override
      public Subscription start(TargetSourceContext context) {
        context.update(List.of(Target.of("fixed-" + port, "127.0.0.1", port)));
        return Future::succeededFuture;
      }
    };
  }
}
