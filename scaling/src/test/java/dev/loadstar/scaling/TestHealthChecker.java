package dev.loadstar.scaling;

import dev.loadstar.core.RegisteredTarget;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetHealth;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A test-only active health checker standing in for the healthcheck module: probes every registered, non-draining
 * target with GET / every interval; a new target turns healthy after one pass, any target unhealthy after exactly
 * two consecutive failures, and healthy again after two consecutive passes.
 */
final class TestHealthChecker {

  static final int UNHEALTHY_THRESHOLD = 2;
  static final int HEALTHY_THRESHOLD = 2;

  private final Vertx vertx;
  private final TargetGroup group;
  private final HttpClient http;
  private final long timerId;
  private final Set<String> inProgress = ConcurrentHashMap.newKeySet();
  private final Map<String, Integer> consecutiveFailures = new ConcurrentHashMap<>();
  private final Map<String, Integer> consecutivePasses = new ConcurrentHashMap<>();
  private final Map<String, Integer> failedProbes = new ConcurrentHashMap<>();
  /** The consecutive failures counted when the checker marked a target unhealthy. */
  final Map<String, Integer> failuresWhenMarkedUnhealthy = new ConcurrentHashMap<>();

  TestHealthChecker(Vertx vertx, TargetGroup group, long intervalMs) {
    this.vertx = vertx;
    this.group = group;
    this.http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false).setConnectTimeout(2000));
    this.timerId = vertx.setPeriodic(intervalMs, id -> probeAll());
  }

  int failedProbes(String targetId) {
    return failedProbes.getOrDefault(targetId, 0);
  }

  private void probeAll() {
    for (RegisteredTarget t : group.targets()) {
      if (t.isActive() && inProgress.add(t.target().id())) {
        probe(t);
      }
    }
  }

  private void probe(RegisteredTarget t) {
    String id = t.target().id();
    RequestOptions opts = new RequestOptions().setMethod(HttpMethod.GET).setHost(t.target().host())
        .setPort(t.target().port()).setURI("/").setConnectTimeout(2000).setIdleTimeout(2000);
    http.request(opts).compose(req -> req.send().compose(resp -> resp.body().map(b -> resp.statusCode())))
        .onComplete(ar -> {
          inProgress.remove(id);
          boolean pass = ar.succeeded() && ar.result() == 200;
          TargetHealth h = t.health();
          if (pass) {
            consecutiveFailures.put(id, 0);
            int passes = consecutivePasses.merge(id, 1, Integer::sum);
            if (h.state() == TargetHealth.State.INITIAL
                || (h.state() == TargetHealth.State.UNHEALTHY && passes >= HEALTHY_THRESHOLD)) {
              group.updateHealth(id, TargetHealth.HEALTHY);
            }
          } else {
            failedProbes.merge(id, 1, Integer::sum);
            consecutivePasses.put(id, 0);
            int failures = consecutiveFailures.merge(id, 1, Integer::sum);
            if (failures >= UNHEALTHY_THRESHOLD && h.state() != TargetHealth.State.UNHEALTHY) {
              if (group.updateHealth(id, TargetHealth.unhealthy(TargetHealth.Reason.TARGET_FAILED_HEALTH_CHECKS,
                  "Health checks failed"))) {
                failuresWhenMarkedUnhealthy.putIfAbsent(id, failures);
              }
            }
          }
        });
  }

  void close() {
    vertx.cancelTimer(timerId);
    http.close().await();
  }
}
