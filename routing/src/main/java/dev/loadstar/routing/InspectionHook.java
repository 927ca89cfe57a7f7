package dev.loadstar.routing;

import io.vertx.core.Future;

/**
 * A handler that sees each request before the gateway forwards it (the "Gateway LB" idea: auth checks, audit
 * logs, deny-lists). Hooks run in the order they were added; each may pass, change the headers that will be
 * forwarded ({@link InspectionContext#headers()}), or reject with a status.
 *
 * <p>Called on the listener's event loop: return at once, doing slow work asynchronously. A hook that throws or
 * returns a failed future makes the gateway answer 500 and log the error; the listener keeps running.
 */
@FunctionalInterface
public interface InspectionHook {

  /** Inspects the request; completes with {@link Verdict#pass()} to let it through. */
  Future<Verdict> inspect(InspectionContext request);
}
