package dev.loadstar.routing;

import dev.loadstar.core.RetryPolicy;
import dev.loadstar.core.StickinessKeys;
import dev.loadstar.core.config.Checks;
import java.time.Duration;

/**
 * The immutable settings of an {@link HttpListener}, with ALB's defaults: 60 s idle timeout, 10 s connect timeout,
 * a 16K request line, 16K per header and 64K for all headers, 32K of response headers from a target, at most
 * 30 addresses in X-Forwarded-For, and defensive desync mitigation; at most 10,000 open client connections.
 */
public final class ListenerConfig {

  /** The name of the listener's group-stickiness cookie for weighted forwards ({@code AWSALBTG} on ALB). */
  public static final String GROUP_COOKIE_NAME = "LSALBTG";

  /** The default of {@link #maxConnections()}. */
  public static final int DEFAULT_MAX_CONNECTIONS = 10_000;

  /** The most event loops a listener may serve from. */
  public static final int MAX_EVENT_LOOPS = 1024;

  private final String host;
  private final int port;
  private final Duration idleTimeout;
  private final Duration connectTimeout;
  private final int maxRequestLineLength;
  private final int maxHeaderLength;
  private final int maxHeadersSize;
  private final int maxResponseHeadersSize;
  private final int maxForwardedForAddresses;
  private final int maxConnectionsPerTarget;
  private final RetryPolicy retryPolicy;
  private final boolean preserveHostHeader;
  private final boolean verifyTargetCertificates;
  private final String targetTrustStorePath;
  private final StickinessKeys groupStickinessKeys;
  private final String name;
  private final String localZone;
  private final int eventLoops;
  private final TlsConfig tls;
  private final int maxConnections;
  private final DesyncMitigationMode desyncMitigationMode;
  private final boolean dropInvalidHeaderFields;

  private ListenerConfig(Builder b) {
    this.host = b.host;
    this.port = b.port;
    this.idleTimeout = b.idleTimeout;
    this.connectTimeout = b.connectTimeout;
    this.maxRequestLineLength = b.maxRequestLineLength;
    this.maxHeaderLength = b.maxHeaderLength;
    this.maxHeadersSize = b.maxHeadersSize;
    this.maxResponseHeadersSize = b.maxResponseHeadersSize;
    this.maxForwardedForAddresses = b.maxForwardedForAddresses;
    this.maxConnectionsPerTarget = b.maxConnectionsPerTarget;
    this.retryPolicy = b.retryPolicy;
    this.preserveHostHeader = b.preserveHostHeader;
    this.verifyTargetCertificates = b.verifyTargetCertificates;
    this.targetTrustStorePath = b.targetTrustStorePath;
    this.groupStickinessKeys = b.groupStickinessKeys;
    this.name = b.name;
    this.localZone = b.localZone;
    this.eventLoops = b.eventLoops;
    this.tls = b.tls;
    this.maxConnections = b.maxConnections;
    this.desyncMitigationMode = b.desyncMitigationMode;
    this.dropInvalidHeaderFields = b.dropInvalidHeaderFields;
  }

  /** A builder with ALB's defaults, listening on {@code 0.0.0.0:80}. */
  public static Builder builder() {
    return new Builder();
  }

  /** The address to bind. */
  public String host() {
    return host;
  }

  /** The port to bind (0 picks a free port). */
  public int port() {
    return port;
  }

  /** How long a target may stay silent on a forwarded request before the listener answers 504 (ALB's idle timeout). */
  public Duration idleTimeout() {
    return idleTimeout;
  }

  /** How long connecting to a target may take. */
  public Duration connectTimeout() {
    return connectTimeout;
  }

  /** Longest request line, in bytes (longer: 400). */
  public int maxRequestLineLength() {
    return maxRequestLineLength;
  }

  /** Longest single header line (name, colon, space, value), in bytes (longer: 400). */
  public int maxHeaderLength() {
    return maxHeaderLength;
  }

  /** Largest request header block, in bytes (larger: 400). */
  public int maxHeadersSize() {
    return maxHeadersSize;
  }

  /** Largest response header block accepted from a target (larger: 502). */
  public int maxResponseHeadersSize() {
    return maxResponseHeadersSize;
  }

  /** Most addresses accepted in an incoming X-Forwarded-For (more: 463). */
  public int maxForwardedForAddresses() {
    return maxForwardedForAddresses;
  }

  /** Most pooled HTTP/1.1 connections to one target. */
  public int maxConnectionsPerTarget() {
    return maxConnectionsPerTarget;
  }

  /** Whether an idempotent request whose connection was lost before a response is retried on another target. */
  public boolean retryIdempotent() {
    return retryPolicy.retryOnConnectionLoss();
  }

  /** When a failed forward goes to another target: attempts and retry budget (default {@link RetryPolicy#defaults()}). */
  public RetryPolicy retryPolicy() {
    return retryPolicy;
  }

  /**
   * Whether the client's {@code Host} header is forwarded unchanged (ALB's
   * {@code routing.http.preserve_host_header.enabled}); when false (the default, as ALB) the listener's port is
   * appended to it unless it is the scheme's default port.
   */
  public boolean preserveHostHeader() {
    return preserveHostHeader;
  }

  /**
   * Whether the certificates of {@code HTTPS} targets are validated (default false: as ALB, any certificate is
   * accepted, since targets are addressed by IP). When true they are checked against {@link #targetTrustStorePath()},
   * or the JVM's trust store when that is null; host names are not verified (targets are addressed by IP).
   */
  public boolean verifyTargetCertificates() {
    return verifyTargetCertificates;
  }

  /** A PEM file of CA certificates that {@code HTTPS} targets' certificates must chain to, or null. */
  public String targetTrustStorePath() {
    return targetTrustStorePath;
  }

  /**
   * The TLS settings of an HTTPS listener (ALB's listener {@code Protocol} {@code HTTPS} with its
   * {@code Certificates}, {@code SslPolicy} and {@code MutualAuthentication}), or null for a plain HTTP listener.
   */
  public TlsConfig tls() {
    return tls;
  }

  /** ALB's listener protocol: {@code HTTPS} when {@link #tls()} is set, else {@code HTTP}. */
  public String protocol() {
    return tls != null ? "HTTPS" : "HTTP";
  }

  /** The keys of the group-stickiness cookie, or {@code null} for a random per-listener key. */
  public StickinessKeys groupStickinessKeys() {
    return groupStickinessKeys;
  }

  /**
   * The listener's name, as loop errors and describe output show it (default {@code http-<port>}, or
   * {@code https-<port>} with TLS, the configured port).
   */
  public String name() {
    return name != null ? name : (tls != null ? "https-" : "http-") + port;
  }

  /**
   * The availability zone the listener runs in, or {@code null} (the default) for none. Target groups with
   * {@code load_balancing.cross_zone.enabled} off send its requests to targets in this zone while it has enough
   * healthy ones.
   */
  public String localZone() {
    return localZone;
  }

  /**
   * How many event loops serve the listener's connections (default: the number of available processors, like
   * nginx's {@code worker_processes auto}): one server instance per event loop shares the one port, and accepted
   * connections go to the instances in turn.
   */
  public int eventLoops() {
    return eventLoops;
  }

  /**
   * The most client connections open at once on this listener, across its event loops (default
   * {@value #DEFAULT_MAX_CONNECTIONS}; 0 = unlimited). A connection beyond it is closed as it is accepted and
   * counted in {@link ListenerStats#rejectedConnections()} (ALB's {@code RejectedConnectionCount}; ALB has no such
   * setting, it scales instead).
   */
  public int maxConnections() {
    return maxConnections;
  }

  /**
   * What the listener does with requests by their desync classification (ALB's
   * {@code routing.http.desync_mitigation_mode}; default {@link DesyncMitigationMode#DEFENSIVE}).
   */
  public DesyncMitigationMode desyncMitigationMode() {
    return desyncMitigationMode;
  }

  /**
   * Whether header fields whose names are not RFC 9110 tokens are removed before forwarding, the request staying
   * compliant (ALB's {@code routing.http.drop_invalid_header_fields.enabled}; default false: such a request is
   * classified ambiguous, and the field is still not forwarded since it cannot be written on HTTP/1.1).
   */
  public boolean dropInvalidHeaderFields() {
    return dropInvalidHeaderFields;
  }

  /** Builds a {@link ListenerConfig}. */
  public static final class Builder {
    private String host = "0.0.0.0";
    private int port = 80;
    private Duration idleTimeout = Duration.ofSeconds(60);
    private Duration connectTimeout = Duration.ofSeconds(10);
    private int maxRequestLineLength = 16 * 1024;
    private int maxHeaderLength = 16 * 1024;
    private int maxHeadersSize = 64 * 1024;
    private int maxResponseHeadersSize = 32 * 1024;
    private int maxForwardedForAddresses = 30;
    private int maxConnectionsPerTarget = 64;
    private RetryPolicy retryPolicy = RetryPolicy.defaults();
    private boolean preserveHostHeader;
    private boolean verifyTargetCertificates;
    private String targetTrustStorePath;
    private StickinessKeys groupStickinessKeys;
    private String name;
    private String localZone;
    private int eventLoops = Runtime.getRuntime().availableProcessors();
    private TlsConfig tls;
    private int maxConnections = DEFAULT_MAX_CONNECTIONS;
    private DesyncMitigationMode desyncMitigationMode = DesyncMitigationMode.DEFENSIVE;
    private boolean dropInvalidHeaderFields;

    private Builder() {
    }

    /**
     * Makes the listener an HTTPS listener with these TLS settings (ALB's {@code HTTPS} protocol: certificates chosen
     * by SNI, security policy, mutual authentication; ALPN offers {@code h2} and {@code http/1.1}); null for HTTP.
     */
    public Builder tls(TlsConfig tls) {
      this.tls = tls;
      return this;
    }

    /**
     * Sets the most client connections open at once (0-10,000,000; 0 = unlimited; default
     * {@value ListenerConfig#DEFAULT_MAX_CONNECTIONS}).
     */
    public Builder maxConnections(int n) {
      this.maxConnections = n;
      return this;
    }

    /** Sets the desync mitigation mode (ALB's {@code routing.http.desync_mitigation_mode}). */
    public Builder desyncMitigationMode(DesyncMitigationMode mode) {
      this.desyncMitigationMode = Checks.notNull("desyncMitigationMode", mode);
      return this;
    }

    /** Sets whether invalid header fields are dropped (ALB's {@code routing.http.drop_invalid_header_fields.enabled}). */
    public Builder dropInvalidHeaderFields(boolean drop) {
      this.dropInvalidHeaderFields = drop;
      return this;
    }

    /**
     * Sets how many event loops serve the listener's connections (1-{@value ListenerConfig#MAX_EVENT_LOOPS}; default:
     * the number of available processors). More than the Vert.x instance's event-loop pool size share loops.
     */
    public Builder eventLoops(int n) {
      this.eventLoops = n;
      return this;
    }

    /** Sets the listener's name (letters, digits, {@code -_.:}; default {@code http-<port>}). */
    public Builder name(String name) {
      this.name = name;
      return this;
    }

    /** Sets the listener's availability zone ({@code null} for none). */
    public Builder localZone(String zone) {
      this.localZone = zone;
      return this;
    }

    /** Sets the address to bind. */
    public Builder host(String host) {
      this.host = host;
      return this;
    }

    /** Sets the port to bind (0-65535; 0 picks a free port). */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /** Sets the idle timeout (ALB: 1-4000 s, default 60 s; shorter values are allowed here). */
    public Builder idleTimeout(Duration timeout) {
      this.idleTimeout = timeout;
      return this;
    }

    /** Sets the connect timeout (default 10 s). */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = timeout;
      return this;
    }

    /** Sets the longest request line. */
    public Builder maxRequestLineLength(int bytes) {
      this.maxRequestLineLength = bytes;
      return this;
    }

    /** Sets the longest single header. */
    public Builder maxHeaderLength(int bytes) {
      this.maxHeaderLength = bytes;
      return this;
    }

    /** Sets the largest request header block. */
    public Builder maxHeadersSize(int bytes) {
      this.maxHeadersSize = bytes;
      return this;
    }

    /** Sets the largest response header block accepted from a target. */
    public Builder maxResponseHeadersSize(int bytes) {
      this.maxResponseHeadersSize = bytes;
      return this;
    }

    /** Sets the most X-Forwarded-For addresses accepted. */
    public Builder maxForwardedForAddresses(int n) {
      this.maxForwardedForAddresses = n;
      return this;
    }

    /** Sets the most pooled connections per target. */
    public Builder maxConnectionsPerTarget(int n) {
      this.maxConnectionsPerTarget = n;
      return this;
    }

    /** Sets whether idempotent requests whose connection was lost before a response are retried elsewhere. */
    public Builder retryIdempotent(boolean retry) {
      this.retryPolicy = retryPolicy.toBuilder().retryOnConnectionLoss(retry).build();
      return this;
    }

    /** Sets the retry policy (attempts per request, retry budget). */
    public Builder retryPolicy(RetryPolicy policy) {
      this.retryPolicy = Checks.notNull("retryPolicy", policy);
      return this;
    }

    /** Sets whether the client's Host header is forwarded unchanged (ALB's {@code routing.http.preserve_host_header.enabled}). */
    public Builder preserveHostHeader(boolean preserve) {
      this.preserveHostHeader = preserve;
      return this;
    }

    /** Sets whether certificates of HTTPS targets are validated (default false, as ALB). */
    public Builder verifyTargetCertificates(boolean verify) {
      this.verifyTargetCertificates = verify;
      return this;
    }

    /** Sets a PEM file of CA certificates for validating HTTPS targets (implies validation). */
    public Builder targetTrustStorePath(String path) {
      this.targetTrustStorePath = path;
      if (path != null) {
        this.verifyTargetCertificates = true;
      }
      return this;
    }

    /** Sets the keys authenticating the group-stickiness cookie (share them between replicas). */
    public Builder groupStickinessKeys(StickinessKeys keys) {
      this.groupStickinessKeys = keys;
      return this;
    }

    /** Validates and builds the configuration. */
    public ListenerConfig build() {
      Checks.notBlank("host", host);
      Checks.range("port", port, 0, 65535);
      Checks.positive("idleTimeout", idleTimeout);
      Checks.positive("connectTimeout", connectTimeout);
      Checks.range("maxRequestLineLength", maxRequestLineLength, 256, 1 << 20);
      Checks.range("maxHeaderLength", maxHeaderLength, 256, 1 << 20);
      Checks.range("maxHeadersSize", maxHeadersSize, 256, 1 << 22);
      Checks.range("maxResponseHeadersSize", maxResponseHeadersSize, 256, 1 << 22);
      Checks.range("maxForwardedForAddresses", maxForwardedForAddresses, 1, 1000);
      Checks.range("maxConnectionsPerTarget", maxConnectionsPerTarget, 1, 100_000);
      Checks.range("eventLoops", eventLoops, 1, MAX_EVENT_LOOPS);
      Checks.range("maxConnections", maxConnections, 0, 10_000_000);
      if (targetTrustStorePath != null && !java.nio.file.Files.isReadable(java.nio.file.Path.of(targetTrustStorePath))) {
        throw Checks.invalid("targetTrustStorePath", "\"" + targetTrustStorePath + "\"", "a readable PEM file");
      }
      checkName(name);
      if (localZone != null) {
        Checks.notBlank("localZone", localZone);
      }
      return new ListenerConfig(this);
    }
  }

  /** Fails unless the name is null or 1-128 letters, digits and {@code -_.:}. */
  static void checkName(String name) {
    if (name != null && !name.matches("[A-Za-z0-9_.:-]{1,128}")) {
      throw Checks.invalid("name", "\"" + name + "\"", "1-128 letters, digits, -, _, . and :");
    }
  }
}
