package dev.loadstar.gateway.config;

import dev.loadstar.core.RetryPolicy;
import dev.loadstar.routing.ListenerConfig;
import dev.loadstar.routing.RuleSet;
import dev.loadstar.routing.TlsConfig;
import java.time.Duration;

/**
 * A validated listener of a configuration file: HTTP or HTTPS (rules, the embeddable "ALB") or TCP or TLS (one target
 * group, the "NLB").
 *
 * @param name the listener name
 * @param protocol HTTP (also for HTTPS) or TCP (also for TLS): which kind of listener runs; see {@link #albProtocol()}
 * @param host the address to bind
 * @param port the port to bind (0 picks a free port)
 * @param httpConfig the HTTP listener settings, TLS included for HTTPS (null for TCP)
 * @param rules the rules and default action (null for TCP)
 * @param tcpTargetGroup the target group of a TCP listener (null for HTTP)
 * @param idleTimeout the idle timeout
 * @param connectTimeout the timeout to connect to a target
 * @param zone the listener's availability zone (its own {@code zone}, else the file's top-level {@code zone}), or
 *     null: groups with {@code load_balancing.cross_zone.enabled} off keep its requests in this zone
 * @param retryPolicy when a failed forward or connection goes to another target ({@code retry} in the file)
 * @param accessLog where an HTTP listener's access log goes ({@code access_logs.*} attributes), or null when off
 * @param tcpTls the TLS settings of a TLS listener (a TCP listener that terminates TLS), else null; an HTTPS
 *     listener's are {@code httpConfig.tls()}
 * @param tcpMaxConnections the most client connections a TCP or TLS listener keeps open (0: no limit); an HTTP
 *     listener's are {@code httpConfig.maxConnections()}
 */
public record ListenerSpec(String name, Protocol protocol, String host, int port, ListenerConfig httpConfig,
    RuleSet rules, String tcpTargetGroup, Duration idleTimeout, Duration connectTimeout, String zone,
    RetryPolicy retryPolicy, AccessLogSettings accessLog, TlsConfig tcpTls, int tcpMaxConnections) {

  /** A listener with the default connection limit on a TCP listener. */
  public ListenerSpec(String name, Protocol protocol, String host, int port, ListenerConfig httpConfig,
      RuleSet rules, String tcpTargetGroup, Duration idleTimeout, Duration connectTimeout, String zone,
      RetryPolicy retryPolicy, AccessLogSettings accessLog, TlsConfig tcpTls) {
    this(name, protocol, host, port, httpConfig, rules, tcpTargetGroup, idleTimeout, connectTimeout, zone,
        retryPolicy, accessLog, tcpTls, ListenerConfig.DEFAULT_MAX_CONNECTIONS);
  }

  /** A listener without TLS on a TCP listener. */
  public ListenerSpec(String name, Protocol protocol, String host, int port, ListenerConfig httpConfig,
      RuleSet rules, String tcpTargetGroup, Duration idleTimeout, Duration connectTimeout, String zone,
      RetryPolicy retryPolicy, AccessLogSettings accessLog) {
    this(name, protocol, host, port, httpConfig, rules, tcpTargetGroup, idleTimeout, connectTimeout, zone,
        retryPolicy, accessLog, null);
  }

  /** A listener without an access log. */
  public ListenerSpec(String name, Protocol protocol, String host, int port, ListenerConfig httpConfig,
      RuleSet rules, String tcpTargetGroup, Duration idleTimeout, Duration connectTimeout, String zone,
      RetryPolicy retryPolicy) {
    this(name, protocol, host, port, httpConfig, rules, tcpTargetGroup, idleTimeout, connectTimeout, zone,
        retryPolicy, null);
  }

  /** A listener without a zone, with the default retry policy. */
  public ListenerSpec(String name, Protocol protocol, String host, int port, ListenerConfig httpConfig,
      RuleSet rules, String tcpTargetGroup, Duration idleTimeout, Duration connectTimeout) {
    this(name, protocol, host, port, httpConfig, rules, tcpTargetGroup, idleTimeout, connectTimeout, null,
        RetryPolicy.defaults());
  }

  /** ALB's (and NLB's) listener protocol: {@code HTTP}, {@code HTTPS}, {@code TCP} or {@code TLS}. */
  public String albProtocol() {
    if (protocol == Protocol.HTTP) {
      return httpConfig != null && httpConfig.tls() != null ? "HTTPS" : "HTTP";
    }
    return tcpTls != null ? "TLS" : "TCP";
  }

  /** The kind of listener. */
  public enum Protocol {
    /** An HTTP reverse proxy with listener rules (HTTPS when its settings have TLS). */
    HTTP,
    /** A TCP connection balancer over one target group (TLS when it terminates TLS). */
    TCP
  }
}
