package dev.loadstar.routing;

import dev.loadstar.core.TargetGroup;
import dev.loadstar.routing.internal.gateway.DefaultTcpListener;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Objects;

/**
 * The embeddable "NLB": a TCP listener that balances whole connections across a target group. Each accepted
 * connection is paired with one connection to a selected target (it stays there) and bytes are piped both ways
 * with backpressure; when either side closes, the other is closed. A target that refuses the connection is
 * replaced by another one, once; with none left the client connection is closed.
 */
public interface TcpListener {

  /** ALB's NLB TCP idle timeout: 350 s. */
  Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(350);

  /** A listener on {@code host:port} (0 picks a free port) over the group, with the default timeouts. */
  static TcpListener create(Vertx vertx, String host, int port, TargetGroup group) {
    return create(vertx, host, port, group, DEFAULT_IDLE_TIMEOUT, Duration.ofSeconds(10));
  }

  /** A listener with an idle timeout (closes silent connections) and a connect timeout to targets. */
  static TcpListener create(Vertx vertx, String host, int port, TargetGroup group, Duration idleTimeout,
      Duration connectTimeout) {
    Objects.requireNonNull(vertx, "vertx");
    Objects.requireNonNull(group, "group");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port: " + port + " (expected: 0-65535)");
    }
    if (idleTimeout == null || idleTimeout.getSeconds() < 1) {
      throw new IllegalArgumentException("idleTimeout: " + idleTimeout + " (expected: >= 1 s)");
    }
    if (connectTimeout == null || connectTimeout.isZero() || connectTimeout.isNegative()) {
      throw new IllegalArgumentException("connectTimeout: " + connectTimeout + " (expected: > 0)");
    }
    return new DefaultTcpListener(vertx, host, port, group, idleTimeout, connectTimeout);
  }

  /** Binds the port. */
  Future<Void> start();

  /** The bound port (after {@link #start()}). */
  int actualPort();

  /** Client connections currently paired with a target. */
  int activeConnections();

  /** Client connections closed because no target could be reached. */
  long rejectedConnections();

  /** Stops accepting and closes the server and the client to the targets; idempotent. */
  Future<Void> close();
}
