package dev.loadstar.healthcheck;

import dev.loadstar.core.Target;
import dev.loadstar.core.config.Checks;
import dev.loadstar.healthcheck.internal.HttpCodeMatcher;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The immutable active health check settings of a target group, with ALB's names, defaults and ranges.
 *
 * <p>Defaults are ALB's: {@code HTTP} on the {@code traffic-port}, path {@code /}, every 30 s, timeout 5 s, healthy
 * after 5 consecutive successes, unhealthy after 2 consecutive failures, matcher {@code 200}. ALB's ranges are
 * enforced (interval 5-300 s, timeout 2-120 s, both whole seconds; thresholds 2-10; matcher codes 200-499) unless
 * {@link Builder#embedded(boolean) embedded} ranges are asked for explicitly, which allow intervals from 10 ms and
 * timeouts from 1 ms (any whole number of milliseconds) for an in-process balancer. The timeout must be shorter than
 * the interval. {@link Builder#build()} fails with {@code name: value (expected: ...)}.
 */
public final class HealthCheck {

  /** {@code HealthCheckProtocol}: how a target is probed. */
  public enum Protocol {
    /** An HTTP/1.1 {@code GET} of the path; the status code must match the matcher. */
    HTTP,
    /** As {@link #HTTP} over TLS; target certificates are not validated, as with ALB. */
    HTTPS,
    /** A TCP connection that opens within the timeout (Loadstar allows it for any group). */
    TCP,
    /**
     * A gRPC unary call to the path ({@code /package.service/method}, ALB's default {@code /AWS.ALB/healthcheck})
     * with an empty message, over HTTP/2 cleartext (prior knowledge), or over TLS (HTTP/2 by ALPN, certificates not
     * validated) when the target group's protocol is {@code HTTPS}, as ALB does; the {@code grpc-status} must match
     * {@code Matcher.GrpcCode} (ALB's default {@code 12}, UNIMPLEMENTED: any gRPC server answers it). With the
     * standard health service path {@value HealthCheck#GRPC_HEALTH_SERVICE_PATH}, a status 0 answer must also say
     * {@code SERVING}. Loadstar allows it for any group.
     */
    GRPC
  }

  /** The {@code HealthCheckPort} value meaning "the port the target receives traffic on". */
  public static final String TRAFFIC_PORT = "traffic-port";
  /** The {@code User-Agent} header every HTTP(S) check carries. */
  public static final String USER_AGENT = "Loadstar-HealthChecker/1.0";
  /** ALB's default interval: 30 s. */
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(30);
  /** ALB's default timeout: 5 s. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
  /** ALB's default {@code HealthyThresholdCount}: 5. */
  public static final int DEFAULT_HEALTHY_THRESHOLD = 5;
  /** ALB's default {@code UnhealthyThresholdCount}: 2. */
  public static final int DEFAULT_UNHEALTHY_THRESHOLD = 2;
  /** ALB's default {@code Matcher.HttpCode}: 200. */
  public static final String DEFAULT_MATCHER = "200";
  /** ALB's default {@code HealthCheckPath} for {@code GRPC}: {@code /AWS.ALB/healthcheck}. */
  public static final String DEFAULT_GRPC_PATH = "/AWS.ALB/healthcheck";
  /** ALB's default {@code Matcher.GrpcCode}: 12 (UNIMPLEMENTED). */
  public static final String DEFAULT_GRPC_MATCHER = "12";
  /** The standard gRPC health service's method ({@code grpc.health.v1.Health/Check}). */
  public static final String GRPC_HEALTH_SERVICE_PATH = "/grpc.health.v1.Health/Check";
  /** Default cap on checks in flight at once per checker. */
  public static final int DEFAULT_MAX_CONCURRENT_CHECKS = 1024;

  private static final Pattern GRPC_PATH = Pattern.compile("/[^/?]+/[^/?]+");
  private static final HealthCheck DEFAULTS = builder().build();

  private final Protocol protocol;
  private final int port;
  private final String path;
  private final Duration interval;
  private final Duration timeout;
  private final int healthyThreshold;
  private final int unhealthyThreshold;
  private final String matcher;
  private final HttpCodeMatcher codes;
  private final String grpcMatcher;
  private final HttpCodeMatcher grpcCodes;
  private final boolean embedded;
  private final boolean reuseConnections;
  private final int maxConcurrentChecks;

  private HealthCheck(Builder b, String path, HttpCodeMatcher codes, HttpCodeMatcher grpcCodes) {
    this.protocol = b.protocol;
    this.port = b.port;
    this.path = path;
    this.grpcMatcher = b.grpcMatcher;
    this.grpcCodes = grpcCodes;
    this.interval = b.interval;
    this.timeout = b.timeout;
    this.healthyThreshold = b.healthyThreshold;
    this.unhealthyThreshold = b.unhealthyThreshold;
    this.matcher = b.matcher;
    this.codes = codes;
    this.embedded = b.embedded;
    this.reuseConnections = b.reuseConnections;
    this.maxConcurrentChecks = b.maxConcurrentChecks;
  }

  /** ALB's default settings. */
  public static HealthCheck defaults() {
    return DEFAULTS;
  }

  /** A builder starting from ALB's defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder pre-filled with these settings. */
  public Builder toBuilder() {
    Builder b = new Builder().protocol(protocol).path(path).interval(interval).timeout(timeout)
        .healthyThresholdCount(healthyThreshold).unhealthyThresholdCount(unhealthyThreshold).matcher(matcher)
        .grpcCode(grpcMatcher).embedded(embedded).reuseConnections(reuseConnections).maxConcurrentChecks(maxConcurrentChecks);
    return port == 0 ? b.trafficPort() : b.port(port);
  }

  /** {@code HealthCheckProtocol} (default {@code HTTP}). */
  public Protocol protocol() {
    return protocol;
  }

  /** Whether checks go to the target's own port ({@code traffic-port}, the default). */
  public boolean usesTrafficPort() {
    return port == 0;
  }

  /** The fixed {@code HealthCheckPort}, or 0 for {@code traffic-port}. */
  public int port() {
    return port;
  }

  /** The port a check of this target goes to. */
  public int portFor(Target target) {
    return port == 0 ? target.port() : port;
  }

  /** {@code HealthCheckPort} as ALB's API shows it: {@code traffic-port} or the port number. */
  public String portName() {
    return port == 0 ? TRAFFIC_PORT : Integer.toString(port);
  }

  /**
   * {@code HealthCheckPath}: path and optional query (default {@code /}; {@code /AWS.ALB/healthcheck} for
   * {@code GRPC}, where it names the method; unused by TCP checks).
   */
  public String path() {
    return path;
  }

  /** {@code HealthCheckIntervalSeconds} as a duration (default 30 s). */
  public Duration interval() {
    return interval;
  }

  /** {@code HealthCheckTimeoutSeconds} as a duration (default 5 s): no answer within it fails the check. */
  public Duration timeout() {
    return timeout;
  }

  /** {@code HealthyThresholdCount}: consecutive successes that bring an unhealthy target back (default 5). */
  public int healthyThresholdCount() {
    return healthyThreshold;
  }

  /** {@code UnhealthyThresholdCount}: consecutive failures that make a target unhealthy (default 2). */
  public int unhealthyThresholdCount() {
    return unhealthyThreshold;
  }

  /** {@code Matcher.HttpCode} as given, e.g. {@code "200"}, {@code "200,202"} or {@code "200-299"}. */
  public String matcher() {
    return matcher;
  }

  /** Whether the HTTP status code passes the matcher. */
  public boolean matches(int statusCode) {
    return codes.matches(statusCode);
  }

  /** {@code Matcher.GrpcCode} as given (default {@code "12"}; used by {@code GRPC} checks only). */
  public String grpcCode() {
    return grpcMatcher;
  }

  /** Whether the gRPC status code passes {@code Matcher.GrpcCode}. */
  public boolean matchesGrpc(int grpcStatus) {
    return grpcCodes.matches(grpcStatus);
  }

  /** Whether Loadstar's embedded ranges (sub-second intervals and timeouts) were asked for. */
  public boolean embedded() {
    return embedded;
  }

  /**
   * Whether HTTP(S) checks reuse kept-alive connections (false by default: like ALB, every check opens a connection
   * and closes it afterwards).
   */
  public boolean reuseConnections() {
    return reuseConnections;
  }

  /** The cap on checks in flight at once per checker; further due checks wait for a slot (default 1024). */
  public int maxConcurrentChecks() {
    return maxConcurrentChecks;
  }

  /** These settings as JSON with ALB's keys ({@code HealthCheckProtocol}, ..., {@code Matcher.HttpCode}). */
  public JsonObject toJson() {
    JsonObject json = new JsonObject()
        .put("HealthCheckProtocol", protocol.name())
        .put("HealthCheckPort", portName())
        .put("HealthCheckPath", path)
        .put("HealthCheckIntervalSeconds", seconds(interval))
        .put("HealthCheckTimeoutSeconds", seconds(timeout))
        .put("HealthyThresholdCount", healthyThreshold)
        .put("UnhealthyThresholdCount", unhealthyThreshold)
        .put("Matcher", protocol == Protocol.GRPC ? new JsonObject().put("GrpcCode", grpcMatcher)
            : new JsonObject().put("HttpCode", matcher));
    if (embedded) {
      json.put("Embedded", true);
    }
    if (reuseConnections) {
      json.put("ReuseConnections", true);
    }
    if (maxConcurrentChecks != DEFAULT_MAX_CONCURRENT_CHECKS) {
      json.put("MaxConcurrentChecks", maxConcurrentChecks);
    }
    return json;
  }

  /**
   * Settings read from JSON with ALB's keys (as {@link #toJson()} writes them); absent keys keep ALB's defaults.
   * Seconds may be fractional when {@code "Embedded": true}.
   */
  public static HealthCheck fromJson(JsonObject json) {
    Objects.requireNonNull(json, "json");
    Builder b = builder().embedded(json.getBoolean("Embedded", false));
    String protocol = json.getString("HealthCheckProtocol");
    if (protocol != null) {
      try {
        b.protocol(Protocol.valueOf(protocol));
      } catch (IllegalArgumentException e) {
        throw Checks.invalid("HealthCheckProtocol", protocol, "HTTP, HTTPS, TCP or GRPC");
      }
    }
    Object port = json.getValue("HealthCheckPort");
    if (port != null) {
      String p = port.toString();
      if (TRAFFIC_PORT.equals(p)) {
        b.trafficPort();
      } else {
        try {
          b.port(Integer.parseInt(p));
        } catch (NumberFormatException e) {
          throw Checks.invalid("HealthCheckPort", p, TRAFFIC_PORT + " or 1-65535");
        }
      }
    }
    if (json.containsKey("HealthCheckPath")) {
      b.path(json.getString("HealthCheckPath"));
    }
    if (json.containsKey("HealthCheckIntervalSeconds")) {
      b.interval(fromSeconds(json.getNumber("HealthCheckIntervalSeconds")));
    }
    if (json.containsKey("HealthCheckTimeoutSeconds")) {
      b.timeout(fromSeconds(json.getNumber("HealthCheckTimeoutSeconds")));
    }
    if (json.containsKey("HealthyThresholdCount")) {
      b.healthyThresholdCount(json.getInteger("HealthyThresholdCount"));
    }
    if (json.containsKey("UnhealthyThresholdCount")) {
      b.unhealthyThresholdCount(json.getInteger("UnhealthyThresholdCount"));
    }
    JsonObject m = json.getJsonObject("Matcher");
    if (m != null && m.containsKey("HttpCode")) {
      b.matcher(m.getString("HttpCode"));
    }
    if (m != null && m.containsKey("GrpcCode")) {
      b.grpcCode(m.getString("GrpcCode"));
    }
    b.reuseConnections(json.getBoolean("ReuseConnections", false));
    if (json.containsKey("MaxConcurrentChecks")) {
      b.maxConcurrentChecks(json.getInteger("MaxConcurrentChecks"));
    }
    return b.build();
  }

  private static Duration fromSeconds(Number n) {
    return Duration.ofMillis(new BigDecimal(n.toString()).movePointRight(3).longValue());
  }

  static Number seconds(Duration d) {
    long ms = d.toMillis();
    return ms % 1000 == 0 ? (Number) (ms / 1000) : (Number) (ms / 1000.0);
  }

  @Override
  public String toString() {
    return "HealthCheck" + toJson().encode();
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof HealthCheck)) {
      return false;
    }
    HealthCheck h = (HealthCheck) o;
    return protocol == h.protocol && port == h.port && path.equals(h.path) && interval.equals(h.interval)
        && timeout.equals(h.timeout) && healthyThreshold == h.healthyThreshold
        && unhealthyThreshold == h.unhealthyThreshold && matcher.equals(h.matcher)
        && grpcMatcher.equals(h.grpcMatcher) && embedded == h.embedded
        && reuseConnections == h.reuseConnections && maxConcurrentChecks == h.maxConcurrentChecks;
  }

  @Override
  public int hashCode() {
    return Objects.hash(protocol, port, path, interval, timeout, healthyThreshold, unhealthyThreshold, matcher,
        grpcMatcher);
  }

  /** Builds a {@link HealthCheck}; {@link #build()} validates every field, alone and together. */
  public static final class Builder {
    private Protocol protocol = Protocol.HTTP;
    private int port;
    private String path;
    private Duration interval = DEFAULT_INTERVAL;
    private Duration timeout = DEFAULT_TIMEOUT;
    private int healthyThreshold = DEFAULT_HEALTHY_THRESHOLD;
    private int unhealthyThreshold = DEFAULT_UNHEALTHY_THRESHOLD;
    private String matcher = DEFAULT_MATCHER;
    private String grpcMatcher = DEFAULT_GRPC_MATCHER;
    private boolean embedded;
    private boolean reuseConnections;
    private int maxConcurrentChecks = DEFAULT_MAX_CONCURRENT_CHECKS;

    private Builder() {
    }

    /** Sets {@code HealthCheckProtocol}. */
    public Builder protocol(Protocol protocol) {
      this.protocol = Checks.notNull("HealthCheckProtocol", protocol);
      return this;
    }

    /** Sends checks to the target's own port ({@code traffic-port}, the default). */
    public Builder trafficPort() {
      this.port = 0;
      return this;
    }

    /** Sends checks to this fixed port (1-65535). */
    public Builder port(int port) {
      this.port = Checks.range("HealthCheckPort", port, 1, 65535);
      return this;
    }

    /**
     * Sets {@code HealthCheckPath}: a path starting with {@code /}, optionally with a query (at most 1024 chars);
     * for {@code GRPC}, {@code /package.service/method}. Unset: {@code /}, or {@code /AWS.ALB/healthcheck} for gRPC.
     */
    public Builder path(String path) {
      this.path = Checks.notNull("HealthCheckPath", path);
      return this;
    }

    /** Sets the interval between the starts of two checks of one target. */
    public Builder interval(Duration interval) {
      this.interval = Checks.notNull("HealthCheckIntervalSeconds", interval);
      return this;
    }

    /** Sets the timeout of one check; it must be shorter than the interval. */
    public Builder timeout(Duration timeout) {
      this.timeout = Checks.notNull("HealthCheckTimeoutSeconds", timeout);
      return this;
    }

    /** Sets {@code HealthyThresholdCount} (2-10). */
    public Builder healthyThresholdCount(int count) {
      this.healthyThreshold = count;
      return this;
    }

    /** Sets {@code UnhealthyThresholdCount} (2-10). */
    public Builder unhealthyThresholdCount(int count) {
      this.unhealthyThreshold = count;
      return this;
    }

    /** Sets {@code Matcher.HttpCode}: codes 200-499 as {@code "200"}, {@code "200,202"}, {@code "200-299"}. */
    public Builder matcher(String httpCodes) {
      this.matcher = Checks.notNull("Matcher.HttpCode", httpCodes);
      return this;
    }

    /** Sets {@code Matcher.GrpcCode} for {@code GRPC} checks: codes 0-99 as {@code "0"}, {@code "0,1"}, {@code "0-5"}. */
    public Builder grpcCode(String grpcCodes) {
      this.grpcMatcher = Checks.notNull("Matcher.GrpcCode", grpcCodes);
      return this;
    }

    /**
     * Asks for Loadstar's embedded ranges: interval 10 ms-300 s and timeout 1 ms-120 s in whole milliseconds,
     * instead of ALB's whole-second 5-300 s and 2-120 s. For a balancer inside the application, where a check is
     * a loopback or LAN round trip.
     */
    public Builder embedded(boolean embedded) {
      this.embedded = embedded;
      return this;
    }

    /**
     * Lets HTTP(S) checks reuse kept-alive connections instead of opening and closing one per check (ALB's way, the
     * default). Reuse costs a fraction of the CPU, which matters with thousands of targets checked every second; a
     * check then proves the target answers on an open connection, not that it still accepts new ones (a refused or
     * reset connection is still seen: the next check opens a new one).
     */
    public Builder reuseConnections(boolean reuse) {
      this.reuseConnections = reuse;
      return this;
    }

    /** Sets the cap on checks in flight at once per checker (1-100000, default 1024). */
    public Builder maxConcurrentChecks(int max) {
      this.maxConcurrentChecks = max;
      return this;
    }

    /** Validates the settings and builds them. */
    public HealthCheck build() {
      String path = this.path != null ? this.path : protocol == Protocol.GRPC ? DEFAULT_GRPC_PATH : "/";
      if (!path.startsWith("/") || path.length() > 1024 || !visibleAscii(path)) {
        throw Checks.invalid("HealthCheckPath", "\"" + path + "\"",
            "a path starting with / of at most 1024 visible ASCII characters, optionally with a query");
      }
      if (embedded) {
        durationRange("HealthCheckIntervalSeconds", interval, 10, 300_000, "0.01-300");
        durationRange("HealthCheckTimeoutSeconds", timeout, 1, 120_000, "0.001-120");
      } else {
        wholeSeconds("HealthCheckIntervalSeconds", interval, 5, 300, "0.01-300");
        wholeSeconds("HealthCheckTimeoutSeconds", timeout, 2, 120, "0.001-120");
      }
      if (timeout.compareTo(interval) >= 0) {
        throw Checks.invalid("HealthCheckTimeoutSeconds", format(timeout),
            "less than HealthCheckIntervalSeconds " + format(interval));
      }
      Checks.range("HealthyThresholdCount", healthyThreshold, 2, 10);
      Checks.range("UnhealthyThresholdCount", unhealthyThreshold, 2, 10);
      HttpCodeMatcher codes = HttpCodeMatcher.parse("Matcher.HttpCode", matcher, 200, 499);
      HttpCodeMatcher grpcCodes = HttpCodeMatcher.parse("Matcher.GrpcCode", grpcMatcher, 0, 99);
      if (protocol == Protocol.GRPC && !GRPC_PATH.matcher(path).matches()) {
        throw Checks.invalid("HealthCheckPath", "\"" + path + "\"",
            "/package.service/method with HealthCheckProtocol GRPC");
      }
      if (protocol == Protocol.GRPC && !DEFAULT_MATCHER.equals(matcher)) {
        throw Checks.invalid("Matcher.HttpCode", "\"" + matcher + "\"",
            "no HttpCode with HealthCheckProtocol GRPC (set Matcher.GrpcCode)");
      }
      if (protocol != Protocol.GRPC && !DEFAULT_GRPC_MATCHER.equals(grpcMatcher)) {
        throw Checks.invalid("Matcher.GrpcCode", "\"" + grpcMatcher + "\"", "no GrpcCode with HealthCheckProtocol "
            + protocol + " (GRPC only)");
      }
      if (protocol == Protocol.TCP && !"/".equals(path)) {
        throw Checks.invalid("HealthCheckPath", "\"" + path + "\"", "no path with HealthCheckProtocol TCP");
      }
      if (protocol == Protocol.TCP && !DEFAULT_MATCHER.equals(matcher)) {
        throw Checks.invalid("Matcher.HttpCode", "\"" + matcher + "\"", "no matcher with HealthCheckProtocol TCP");
      }
      if (protocol == Protocol.TCP && reuseConnections) {
        throw Checks.invalid("reuseConnections", true, "false with HealthCheckProtocol TCP (a TCP check is a connect)");
      }
      Checks.range("maxConcurrentChecks", maxConcurrentChecks, 1, 100_000);
      return new HealthCheck(this, path, codes, grpcCodes);
    }

    private static boolean visibleAscii(String s) {
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c <= 0x20 || c >= 0x7f) {
          return false;
        }
      }
      return true;
    }

    private static void wholeSeconds(String name, Duration d, long min, long max, String embeddedRange) {
      if (d.getNano() != 0 || d.getSeconds() < min || d.getSeconds() > max) {
        throw Checks.invalid(name, format(d), min + "-" + max + " whole seconds, or " + embeddedRange
            + " with embedded(true)");
      }
    }

    private static void durationRange(String name, Duration d, long minMs, long maxMs, String range) {
      boolean wholeMs = d.getNano() % 1_000_000 == 0;
      if (!wholeMs || d.isNegative() || d.toMillis() < minMs || d.toMillis() > maxMs) {
        throw Checks.invalid(name, format(d), range + " in whole milliseconds");
      }
    }

    private static String format(Duration d) {
      BigDecimal s = BigDecimal.valueOf(d.getSeconds()).add(BigDecimal.valueOf(d.getNano(), 9));
      return s.stripTrailingZeros().toPlainString();
    }
  }
}
