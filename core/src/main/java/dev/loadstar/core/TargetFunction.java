package dev.loadstar.core;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.concurrent.TimeoutException;

/**
 * The handler of an in-process function target (ALB's Lambda target): a function from request to response, called in
 * this JVM without a network hop.
 *
 * <p>Threading: the balancer calls it on the caller's Vert.x context (the listener's event loop for the gateway, the
 * sending context for the client, the checker's event loop for a health check); it must not block. Throwing, returning
 * {@code null}, returning a failed future or not completing within the caller's timeout is a failed request: it counts
 * against the target exactly as a reset connection ({@link RequestOutcome#RESET}) or a timeout
 * ({@link RequestOutcome#TIMEOUT}) does, so passive health ejects a failing function like a dead server.
 */
@FunctionalInterface
public interface TargetFunction {

  /** Handles one request; the future carries the response. */
  Future<FunctionResponse> handle(FunctionRequest request);

  /**
   * Calls this handler the way every front end must: on {@code context} (at once when already on it; {@code null}:
   * on the calling thread), with a deadline. A throw, a {@code null}, a failed future or a {@code null} answer fail
   * the result with a {@link FunctionFailedException}; a missed deadline with a {@link TimeoutException}
   * ({@link FailureKind#classify} reads both).
   */
  default Future<FunctionResponse> call(Vertx vertx, Context context, String targetId, FunctionRequest request,
      long timeoutMs) {
    Promise<FunctionResponse> result = Promise.promise();
    long timer = vertx.setTimer(Math.max(1, timeoutMs), id -> result.tryFail(new TimeoutException(
        "function target " + targetId + " did not answer within " + timeoutMs + " ms")));
    Runnable run = () -> {
      Future<FunctionResponse> f;
      try {
        f = handle(request);
      } catch (Throwable e) {
        vertx.cancelTimer(timer);
        result.tryFail(new FunctionFailedException("function target " + targetId + " threw " + e, e));
        return;
      }
      if (f == null) {
        vertx.cancelTimer(timer);
        result.tryFail(new FunctionFailedException("function target " + targetId + " returned no future", null));
        return;
      }
      f.onComplete(ar -> {
        vertx.cancelTimer(timer);
        if (ar.failed()) {
          result.tryFail(new FunctionFailedException("function target " + targetId + " failed: " + ar.cause(),
              ar.cause()));
        } else if (ar.result() == null) {
          result.tryFail(new FunctionFailedException("function target " + targetId + " answered null", null));
        } else {
          result.tryComplete(ar.result());
        }
      });
    };
    if (context == null || Vertx.currentContext() == context) {
      run.run();
    } else {
      context.runOnContext(v -> run.run());
    }
    return result.future();
  }
}
