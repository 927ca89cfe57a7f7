package dev.loadstar.routing;

import dev.loadstar.core.Balancer;
import dev.loadstar.core.RetryPolicy;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.config.Checks;
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
 *
 * <p>Target kinds: host-and-port targets are connected to; a balancer target is connected through (to its listener's
 * address, or to a target of its nested group), so a TCP listener can front an {@link HttpListener} (ALB's {@code alb}
 * target type behind an NLB); function targets take no TCP connections and are passed over. A TCP listener is itself
 * a {@link Balancer} whose downstream is its group.
 *
 * <p>With {@link Builder#tls(TlsConfig)} the listener terminates TLS (NLB's {@code TLS} listener) with the same
 * certificate settings as an HTTPS {@link HttpListener} (certificates chosen by SNI, security policy, reload of changed
 * files) and forwards the plaintext stream.
 */
public interface TcpListener extends Balancer {

  /** ALB's NLB TCP idle timeout: 350 s. */
  Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(350);
  /** The default connect timeout to targets: 10 s. */
  Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

  /** A listener on {@code host:port} (0 picks a free port) over the group, with the default timeouts. */
  static TcpListener create(Vertx vertx, String host, int port, TargetGroup group) {
    return builder(vertx).host(host).port(port).targetGroup(group).build();
  }

  /** A listener with an idle timeout (closes silent connections) and a connect timeout to targets. */
  static TcpListener create(Vertx vertx, String host, int port, TargetGroup group, Duration idleTimeout,
      Duration connectTimeout) {
    return builder(vertx).host(host).port(port).targetGroup(group).idleTimeout(idleTimeout)
        .connectTimeout(connectTimeout).build();
  }

  /** A builder for a listener on {@code vertx}. */
  static Builder builder(Vertx vertx) {
    return new Builder(vertx);
  }

  /** Binds the port. */
  Future<Void> start();

  /** The bound port (after {@link #start()}). */
  int actualPort();

  /** Client connections currently paired with a target. */
  int activeConnections();

  /** Client connections closed because no target could be reached or the listener was at its connection limit. */
  long rejectedConnections();

  /**
   * With TLS: client connections whose handshake failed (NLB's {@code ClientTLSNegotiationErrorCount}); else 0.
   */
  default long clientTlsNegotiationErrors() {
    return 0;
  }

  /** {@code listener}. */
  @Override
  default String balancerType() {
    return "listener";
  }

  /** Stops accepting and closes the server and the client to the targets; idempotent. */
  Future<Void> close();

  /** Builds a {@link TcpListener}; {@link #build()} validates every setting. */
  final class Builder {
    private final Vertx vertx;
    private String host = "0.0.0.0";
    private int port;
    private TargetGroup group;
    private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
    private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
    private String name;
    private String localZone;
    private RetryPolicy retryPolicy = RetryPolicy.defaults();
    private TlsConfig tls;
    private int maxConnections = ListenerConfig.DEFAULT_MAX_CONNECTIONS;

    private Builder(Vertx vertx) {
      this.vertx = Objects.requireNonNull(vertx, "vertx");
    }

    /** Sets the address to bind (default {@code 0.0.0.0}). */
    public Builder host(String host) {
      this.host = host;
      return this;
    }

    /** Sets the port to bind (0-65535, default 0: a free port). */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /** Sets the target group connections are balanced across (required). */
    public Builder targetGroup(TargetGroup group) {
      this.group = group;
      return this;
    }

    /** Sets the idle timeout (at least 1 s; default 350 s). */
    public Builder idleTimeout(Duration timeout) {
      this.idleTimeout = timeout;
      return this;
    }

    /** Sets the connect timeout to targets (default 10 s). */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = timeout;
      return this;
    }

    /** Sets the name loop errors show (default {@code tcp-<port>}, or {@code tls-<port>} with TLS). */
    public Builder name(String name) {
      this.name = name;
      return this;
    }

    /** Sets the listener's availability zone, for groups with cross-zone load balancing off ({@code null}: none). */
    public Builder localZone(String zone) {
      this.localZone = zone;
      return this;
    }

    /**
     * Sets how many targets a connection may try when connecting fails (default {@link RetryPolicy#defaults()}:
     * 3 attempts; nothing was sent, so the retry budget is not involved).
     */
    public Builder retryPolicy(RetryPolicy policy) {
      this.retryPolicy = Checks.notNull("retryPolicy", policy);
      return this;
    }

    /**
     * Makes the listener terminate TLS (NLB's {@code TLS} listener): certificates chosen by SNI, the security policy,
     * and optionally client certificates verified against a trust store; the plaintext stream goes to the targets.
     * {@code passthrough} mutual authentication is refused (there are no headers to pass a certificate in). Null (the
     * default) for plain TCP.
     */
    public Builder tls(TlsConfig tls) {
      this.tls = tls;
      return this;
    }

    /**
     * Sets the most client connections open at once (0-10,000,000; 0 = unlimited; default
     * {@value ListenerConfig#DEFAULT_MAX_CONNECTIONS}); a connection beyond it is closed as it is accepted and
     * counted in {@link TcpListener#rejectedConnections()}.
     */
    public Builder maxConnections(int n) {
      this.maxConnections = n;
      return this;
    }

    /** Validates the settings and builds the listener (not yet started). */
    public TcpListener build() {
      Checks.range("maxConnections", maxConnections, 0, 10_000_000);
      Checks.notNull("group", group);
      Checks.notBlank("host", host);
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port: " + port + " (expected: 0-65535)");
      }
      if (idleTimeout == null || idleTimeout.getSeconds() < 1) {
        throw new IllegalArgumentException("idleTimeout: " + idleTimeout + " (expected: >= 1 s)");
      }
      if (connectTimeout == null || connectTimeout.isZero() || connectTimeout.isNegative()) {
        throw new IllegalArgumentException("connectTimeout: " + connectTimeout + " (expected: > 0)");
      }
      ListenerConfig.checkName(name);
      if (localZone != null) {
        Checks.notBlank("localZone", localZone);
      }
      if (tls != null && tls.mutualAuthenticationMode() == TlsConfig.MutualAuthenticationMode.PASSTHROUGH) {
        throw Checks.invalid("tls.mutualAuthentication.mode", "passthrough",
            "off or verify on a TCP listener (passthrough forwards the certificate in HTTP headers)");
      }
      return new DefaultTcpListener(vertx, host, port, group, idleTimeout, connectTimeout,
          name != null ? name : (tls != null ? "tls-" : "tcp-") + port, localZone, retryPolicy, tls, maxConnections);
    }
  }
}
