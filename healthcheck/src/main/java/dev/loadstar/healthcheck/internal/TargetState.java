package dev.loadstar.healthcheck.internal;

import dev.loadstar.core.RegisteredTarget;
import dev.loadstar.core.TargetHealth;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.vertx.core.http.RequestOptions;

/**
 * What the checker knows of one followed target. Fields are confined to the shard's context except {@link #sawFailure}
 * and {@link #breaker}, which the request path reads.
 */
final class TargetState {

  final Shard shard;
  final RegisteredTarget rt;
  final String id;
  final String host;
  final int port;
  final String hostHeader;
  boolean stopped;
  /** The health last handed to the group. */
  TargetHealth applied;

  // active checks
  /** ALB's state machine, or null when the target is not checked actively. */
  ActiveHealth machine;
  Probe probe;
  /** HTTP checks: the address checks go to (shared by the shard's targets on it) and the request sent. */
  Endpoint endpoint;
  RequestOptions requestOptions;
  /** When the next (or current) check was planned to start, in the checker's time. */
  long plannedNanos;
  Attempt current;

  // passive health
  volatile CircuitBreaker breaker;
  volatile boolean sawFailure;
  boolean ejected;
  TargetHealth ejectionHealth;
  long ejectionTimer = -1;
  /** Ejections in a row (reset once the target stayed in rotation for {@code maxEjectionTime}). */
  int ejections;
  long lastEjectionEndNanos;

  TargetState(Shard shard, RegisteredTarget rt, int port) {
    this.shard = shard;
    this.rt = rt;
    this.id = rt.target().id();
    this.host = rt.target().host();
    this.port = port;
    this.hostHeader = (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }
}
