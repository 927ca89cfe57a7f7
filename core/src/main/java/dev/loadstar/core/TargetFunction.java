package dev.loadstar.core;

import io.vertx.core.Future;

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
}
