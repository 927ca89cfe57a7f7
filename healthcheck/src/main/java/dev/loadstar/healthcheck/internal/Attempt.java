package dev.loadstar.healthcheck.internal;

import io.vertx.core.http.HttpClientRequest;

/** One check in flight. Confined to the target's shard. */
final class Attempt {

  final TargetState state;
  final long plannedNanos;
  final long startNanos;
  /** HTTP checks: the request sent, and the connection it went on. */
  HttpClientRequest request;
  Endpoint.Conn conn;
  /** Set once the check has its verdict (or its deadline passed): late callbacks find it done. */
  boolean done;

  Attempt(TargetState state, long plannedNanos, long startNanos) {
    this.state = state;
    this.plannedNanos = plannedNanos;
    this.startNanos = startNanos;
  }

  /** Stops the check: its request is reset and its connection closed (a kept-alive one too: its state is unknown). */
  void abort() {
    HttpClientRequest r = request;
    if (r != null) {
      r.reset();
    }
    Endpoint.Conn c = conn;
    if (c != null) {
      c.close();
    }
  }
}
