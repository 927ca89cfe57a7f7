package dev.loadstar.core.internal;

import dev.loadstar.core.FunctionRequest;
import dev.loadstar.core.FunctionResponse;
import dev.loadstar.core.RequestOutcome;
import dev.loadstar.core.TargetFunction;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.concurrent.TimeoutException;

/**
 * Calls a function target's handler the way every front end must: on the given context, with a deadline, turning a
 * throw, a {@code null}, a failed future or a missed deadline into a failed future whose
 * {@linkplain #outcome outcome} is {@link RequestOutcome#RESET} or {@link RequestOutcome#TIMEOUT}.
 */
public final class FunctionCalls {

  private FunctionCalls() {
  }

  /** The handler failed (threw, returned null or a failed future); the cause is the handler's error, if any. */
  public static final class FunctionFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    FunctionFailedException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * Calls {@code handler} on {@code context} (at once when already on it; {@code null}: on the calling thread) and
   * fails the result with a {@link TimeoutException} after {@code timeoutMs}.
   */
  public static Future<FunctionResponse> call(Vertx vertx, Context context, String targetId, TargetFunction handler,
      FunctionRequest request, long timeoutMs) {
    Promise<FunctionResponse> result = Promise.promise();
    long timer = vertx.setTimer(Math.max(1, timeoutMs), id -> result.tryFail(new TimeoutException(
        "function target " + targetId + " did not answer within " + timeoutMs + " ms")));
    Runnable run = () -> {
      Future<FunctionResponse> f;
      try {
        f = handler.handle(request);
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

  /** The outcome a failed call stands for: {@code TIMEOUT} for a missed deadline, else {@code RESET}. */
  public static RequestOutcome outcome(Throwable failure) {
    return failure instanceof TimeoutException ? RequestOutcome.TIMEOUT : RequestOutcome.RESET;
  }
}
