package dev.loadstar.core.discovery;

import dev.loadstar.core.Target;
import io.vertx.core.Future;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A source driven by the test: it reports what the test tells it to, when the test tells it to. It implements
 * the public SPI only, as a source from another module would.
 */
final class ScriptedSource implements TargetSource {

  private volatile TargetSourceContext context;
  private final AtomicInteger closes = new AtomicInteger();

  @Override
  public String type() {
    return "scripted";
  }

  @Override
  public Subscription start(TargetSourceContext context) {
    this.context = context;
    return () -> {
      closes.incrementAndGet();
      return Future.succeededFuture();
    };
  }

  boolean started() {
    return context != null;
  }

  int closes() {
    return closes.get();
  }

  /** Reports a complete answer. */
  void answer(Target... targets) {
    context.update(Arrays.asList(targets));
  }

  /** Reports a failed attempt. */
  void fail(String message) {
    context.fail(new RuntimeException(message));
  }

  @Override
  public String toString() {
    return "scripted by the test";
  }
}
