package dev.loadstar.core.discovery;

import dev.loadstar.core.Target;
import dev.loadstar.core.spi.TargetSourceProvider;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * A provider from "another module": registered in the test class path's
 * {@code META-INF/services/dev.loadstar.core.spi.TargetSourceProvider}, found by its type name.
 */
public final class FixedTestSourceProvider implements TargetSourceProvider {

  @Override
  public String type() {
    return "test-fixed";
  }

  @Override
  public TargetSource create(JsonObject params) {
    for (String key : params.fieldNames()) {
      if (!key.equals("port")) {
        throw new IllegalArgumentException(key + ": " + params.getValue(key) + " (expected: only port)");
      }
    }
    Integer port = params.getInteger("port");
    if (port == null || port < 1 || port > 65535) {
      throw new IllegalArgumentException("port: " + port + " (expected: 1-65535)");
    }
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
