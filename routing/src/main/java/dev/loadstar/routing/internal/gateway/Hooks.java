package dev.loadstar.routing.internal.gateway;

import dev.loadstar.routing.InspectionHook;
import dev.loadstar.routing.Verdict;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpServerResponse;
import java.util.List;

/**
 * The inspection hook chain in front of a forward. The chain has the listener's idle timeout to reach a verdict: a
 * hook whose future never completes gets the client a 504 (logged) instead of no answer, and its late verdict is
 * ignored. A hook that throws or fails gets the client a 500 (logged); a rejection is answered as the verdict says.
 */
final class Hooks {

  private static final System.Logger LOG = System.getLogger(DefaultHttpListener.class.getName());
  /** Fails the chain's verdict when none came within the idle timeout (a signal: no stack trace). */
  private static final RuntimeException HOOK_TIMEOUT = new HookTimeout();

  private Hooks() {
  }

  /** Runs the chain, then dispatches the forward or answers the verdict. */
  static void run(Forward f) {
    Worker w = f.worker;
    Promise<Verdict> verdict = Promise.promise();
    long timeoutMs = Math.max(1, w.config.idleTimeout().toMillis());
    long timer = w.listener.vertx.setTimer(timeoutMs, id -> verdict.tryFail(HOOK_TIMEOUT));
    verdict.future().onComplete(ar -> {
      w.listener.vertx.cancelTimer(timer);
      f.guard(() -> after(f, ar));
    });
    next(f, w.listener.hooks, 0, verdict);
  }

  private static void next(Forward f, List<InspectionHook> hooks, int index, Promise<Verdict> verdict) {
    if (verdict.future().isComplete()) {
      return; // the chain timed out: later hooks do not run
    }
    if (index == hooks.size()) {
      verdict.tryComplete(Verdict.pass());
      return;
    }
    f.hookAwaited(index);
    Future<Verdict> v;
    try {
      v = hooks.get(index).inspect(f);
      if (v == null) {
        throw new NullPointerException("inspection hook " + index + " returned null");
      }
    } catch (RuntimeException e) {
      failed(f, index, e, verdict);
      return;
    }
    v.onComplete(ar -> {
      if (ar.failed()) {
        failed(f, index, ar.cause(), verdict);
      } else if (ar.result() != null && ar.result().rejected()) {
        verdict.tryComplete(ar.result());
      } else {
        next(f, hooks, index + 1, verdict);
      }
    });
  }

  private static void failed(Forward f, int index, Throwable cause, Promise<Verdict> verdict) {
    if (verdict.tryFail(cause)) {
      LOG.log(System.Logger.Level.ERROR, "inspection hook " + index + " failed on " + f.method() + " "
          + Logs.safe(f.uri()), cause);
    }
  }

  private static void after(Forward f, AsyncResult<Verdict> ar) {
    Worker w = f.worker;
    if (ar.failed()) {
      f.release();
      if (ar.cause() == HOOK_TIMEOUT) {
        LOG.log(System.Logger.Level.WARNING, "inspection hook " + f.hookIndex() + " gave no verdict within "
            + w.config.idleTimeout().toMillis() + " ms on " + f.method() + " " + Logs.safe(f.uri())
            + "; answering 504");
        w.respond(f.req, 504);
      } else {
        w.respond(f.req, 500);
      }
      return;
    }
    Verdict v = ar.result();
    if (!v.rejected()) {
      f.dispatch();
      return;
    }
    w.stats.hookRejections.increment();
    f.release();
    HttpServerResponse resp = f.req.response();
    if (!resp.closed() && !resp.headWritten()) {
      resp.setStatusCode(v.status());
      if (v.body() != null) {
        resp.putHeader("content-type", "text/plain");
      }
      resp.end(v.body() == null ? "" : v.body());
    }
  }

  private static final class HookTimeout extends RuntimeException {
    private static final long serialVersionUID = 1L;

    HookTimeout() {
      super("inspection hook gave no verdict in time", null, false, false);
    }
  }
}
