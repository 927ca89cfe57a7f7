package dev.loadstar.healthcheck.internal;

import dev.loadstar.core.FunctionFailedException;
import dev.loadstar.core.FunctionRequest;
import dev.loadstar.healthcheck.HealthCheck;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;

/**
 * A function target's check: its handler is called in process with a GET of the check's path (ALB invokes a Lambda
 * target with the health check request); the status must match, a throw or failed future fails the check, and the
 * check's deadline applies as for any target.
 */
final class FunctionProbe implements Probe {

  private final Vertx vertx;
  private final HealthCheck healthCheck;
  private final Verdict verdict;

  FunctionProbe(Vertx vertx, HealthCheck healthCheck, Verdict verdict) {
    this.vertx = vertx;
    this.healthCheck = healthCheck;
    this.verdict = verdict;
  }

  @Override
  public void check(Attempt a) {
    TargetState s = a.state;
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().add(HttpHeaders.USER_AGENT, HealthCheck.USER_AGENT);
    FunctionRequest request = new FunctionRequest(HttpMethod.GET, healthCheck.path(), headers, null);
    s.rt.target().function().call(vertx, s.shard.context, s.id, request, healthCheck.timeout().toMillis())
        .onComplete(ar -> s.shard.context.runOnContext(v -> {
          if (ar.succeeded()) {
            int status = ar.result().statusCode();
            verdict.end(a, healthCheck.matches(status) ? null : CheckVerdicts.codeMismatch(status));
          } else if (ar.cause() instanceof FunctionFailedException f) {
            verdict.end(a, CheckVerdicts.functionFailed(f.getCause()));
          } else {
            verdict.end(a, CheckVerdicts.classify(ar.cause(), true));
          }
        }));
  }

  @Override
  public Future<Void> close() {
    return Future.succeededFuture();
  }
}
