package dev.loadstar.core.discovery;

import dev.loadstar.core.config.Checks;
import dev.loadstar.core.config.Durations;
import dev.loadstar.core.config.Params;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Locale;

/**
 * Options of the {@code dns} target source, Vert.x style: fluent setters, a copy constructor and a
 * {@link JsonObject} form whose keys are the setter names. {@link TargetSource#dns} validates them.
 *
 * <p>A and AAAA answers become targets {@code address:port} with {@link #setPort the configured port}; SRV answers
 * keep the records of the best (lowest) priority, take ports from the records, weights from the record weights,
 * and resolve each record's target name to its addresses. SRV answers are re-resolved after the smallest record
 * TTL bounded by {@link #setMinTtl minTtl} and {@link #setMaxTtl maxTtl}. Vert.x's DNS client does not report the
 * TTL of A and AAAA records, so those are re-resolved every {@link #setRefreshInterval refreshInterval} (bounded
 * the same way); the client's resolver caches them for their TTL, so asking more often costs no traffic.
 */
public class DnsSourceOptions {

  /** The kind of DNS record to resolve. */
  public enum RecordType {
    /** IPv4 addresses; the port comes from the options. */
    A,
    /** IPv6 addresses; the port comes from the options. */
    AAAA,
    /** Service records: host names, ports, priorities and weights. */
    SRV
  }

  /** Default record type: {@code A}. */
  public static final RecordType DEFAULT_RECORD_TYPE = RecordType.A;
  /** Default weight of A and AAAA targets. */
  public static final int DEFAULT_WEIGHT = 1;
  /** Default DNS server port: 53. */
  public static final int DEFAULT_SERVER_PORT = 53;
  /** Default query timeout: 5 s. */
  public static final Duration DEFAULT_QUERY_TIMEOUT = Duration.ofSeconds(5);
  /** Default re-resolution interval of A and AAAA records: 5 s. */
  public static final Duration DEFAULT_REFRESH_INTERVAL = Duration.ofSeconds(5);
  /** Default lower bound of the re-resolution delay: 1 s. */
  public static final Duration DEFAULT_MIN_TTL = Duration.ofSeconds(1);
  /** Default upper bound of the re-resolution delay: 5 min. */
  public static final Duration DEFAULT_MAX_TTL = Duration.ofMinutes(5);
  /** Default first retry delay after a failure: 1 s (doubling, with jitter). */
  public static final Duration DEFAULT_RETRY_INITIAL_DELAY = Duration.ofSeconds(1);
  /** Default longest retry delay after failures: 30 s. */
  public static final Duration DEFAULT_RETRY_MAX_DELAY = Duration.ofSeconds(30);

  private String hostname;
  private RecordType recordType = DEFAULT_RECORD_TYPE;
  private Integer port;
  private int weight = DEFAULT_WEIGHT;
  private String zone;
  private String serverHost;
  private int serverPort = DEFAULT_SERVER_PORT;
  private Duration queryTimeout = DEFAULT_QUERY_TIMEOUT;
  private Duration refreshInterval = DEFAULT_REFRESH_INTERVAL;
  private Duration minTtl = DEFAULT_MIN_TTL;
  private Duration maxTtl = DEFAULT_MAX_TTL;
  private Duration retryInitialDelay = DEFAULT_RETRY_INITIAL_DELAY;
  private Duration retryMaxDelay = DEFAULT_RETRY_MAX_DELAY;

  /** Options with the defaults (a host name must still be set). */
  public DnsSourceOptions() {
  }

  /** A copy of other options. */
  public DnsSourceOptions(DnsSourceOptions other) {
    this.hostname = other.hostname;
    this.recordType = other.recordType;
    this.port = other.port;
    this.weight = other.weight;
    this.zone = other.zone;
    this.serverHost = other.serverHost;
    this.serverPort = other.serverPort;
    this.queryTimeout = other.queryTimeout;
    this.refreshInterval = other.refreshInterval;
    this.minTtl = other.minTtl;
    this.maxTtl = other.maxTtl;
    this.retryInitialDelay = other.retryInitialDelay;
    this.retryMaxDelay = other.retryMaxDelay;
  }

  /**
   * Options from JSON: keys are the setter names, durations read {@code 500ms}, {@code 5s}, {@code PT5S} or a
   * number of milliseconds. Fails on a wrongly typed value or an unknown key.
   */
  public DnsSourceOptions(JsonObject json) {
    Params p = new Params(json);
    hostname = p.string("hostname");
    String type = p.string("recordType");
    if (type != null) {
      try {
        recordType = RecordType.valueOf(type.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw Checks.invalid("recordType", Params.render(type), "A, AAAA or SRV");
      }
    }
    port = p.integer("port");
    weight = orDefault(p.integer("weight"), weight);
    zone = p.string("zone");
    serverHost = p.string("serverHost");
    serverPort = orDefault(p.integer("serverPort"), serverPort);
    queryTimeout = orDefault(p.duration("queryTimeout"), queryTimeout);
    refreshInterval = orDefault(p.duration("refreshInterval"), refreshInterval);
    minTtl = orDefault(p.duration("minTtl"), minTtl);
    maxTtl = orDefault(p.duration("maxTtl"), maxTtl);
    retryInitialDelay = orDefault(p.duration("retryInitialDelay"), retryInitialDelay);
    retryMaxDelay = orDefault(p.duration("retryMaxDelay"), retryMaxDelay);
    p.rejectUnknown();
  }

  private static <T> T orDefault(T value, T def) {
    return value != null ? value : def;
  }

  /** The JSON form (the keys {@link #DnsSourceOptions(JsonObject)} reads). */
  public JsonObject toJson() {
    JsonObject j = new JsonObject();
    if (hostname != null) {
      j.put("hostname", hostname);
    }
    j.put("recordType", recordType == null ? null : recordType.name());
    if (port != null) {
      j.put("port", port);
    }
    j.put("weight", weight);
    if (zone != null) {
      j.put("zone", zone);
    }
    if (serverHost != null) {
      j.put("serverHost", serverHost);
    }
    j.put("serverPort", serverPort);
    j.put("queryTimeout", Durations.format(queryTimeout));
    j.put("refreshInterval", Durations.format(refreshInterval));
    j.put("minTtl", Durations.format(minTtl));
    j.put("maxTtl", Durations.format(maxTtl));
    j.put("retryInitialDelay", Durations.format(retryInitialDelay));
    j.put("retryMaxDelay", Durations.format(retryMaxDelay));
    return j;
  }

  /** The DNS name to resolve, e.g. {@code api.internal} or {@code _http._tcp.api.internal}. */
  public String getHostname() {
    return hostname;
  }

  /** Sets the DNS name to resolve (required). */
  public DnsSourceOptions setHostname(String hostname) {
    this.hostname = hostname;
    return this;
  }

  /** The record type (default {@code A}). */
  public RecordType getRecordType() {
    return recordType;
  }

  /** Sets the record type. */
  public DnsSourceOptions setRecordType(RecordType recordType) {
    this.recordType = recordType;
    return this;
  }

  /** The target port for A and AAAA records, or {@code null}. */
  public Integer getPort() {
    return port;
  }

  /** Sets the target port: required for A and AAAA records, refused for SRV records (they carry ports). */
  public DnsSourceOptions setPort(Integer port) {
    this.port = port;
    return this;
  }

  /** The weight of A and AAAA targets (default {@value #DEFAULT_WEIGHT}). */
  public int getWeight() {
    return weight;
  }

  /** Sets the weight of A and AAAA targets (0-10000); SRV targets take the record weights. */
  public DnsSourceOptions setWeight(int weight) {
    this.weight = weight;
    return this;
  }

  /** The zone given to every target, or {@code null}. */
  public String getZone() {
    return zone;
  }

  /** Sets the zone given to every target ({@code null} for none). */
  public DnsSourceOptions setZone(String zone) {
    this.zone = zone;
    return this;
  }

  /** The DNS server's host, or {@code null} for the system's resolver configuration. */
  public String getServerHost() {
    return serverHost;
  }

  /** Sets the DNS server's host ({@code null}: the servers Vert.x found in the system configuration). */
  public DnsSourceOptions setServerHost(String serverHost) {
    this.serverHost = serverHost;
    return this;
  }

  /** The DNS server's port (default {@value #DEFAULT_SERVER_PORT}; used with a server host). */
  public int getServerPort() {
    return serverPort;
  }

  /** Sets the DNS server's port (1-65535; used with a server host). */
  public DnsSourceOptions setServerPort(int serverPort) {
    this.serverPort = serverPort;
    return this;
  }

  /** How long one query may take (default 5 s). */
  public Duration getQueryTimeout() {
    return queryTimeout;
  }

  /** Sets how long one query may take (> 0). */
  public DnsSourceOptions setQueryTimeout(Duration queryTimeout) {
    this.queryTimeout = queryTimeout;
    return this;
  }

  /** How often A and AAAA records are re-resolved (default 5 s, bounded by minTtl and maxTtl). */
  public Duration getRefreshInterval() {
    return refreshInterval;
  }

  /** Sets how often A and AAAA records are re-resolved (> 0; bounded by minTtl and maxTtl). */
  public DnsSourceOptions setRefreshInterval(Duration refreshInterval) {
    this.refreshInterval = refreshInterval;
    return this;
  }

  /** The shortest delay before re-resolving, whatever the TTL (default 1 s). */
  public Duration getMinTtl() {
    return minTtl;
  }

  /** Sets the shortest delay before re-resolving (> 0). */
  public DnsSourceOptions setMinTtl(Duration minTtl) {
    this.minTtl = minTtl;
    return this;
  }

  /** The longest delay before re-resolving, whatever the TTL (default 5 min). */
  public Duration getMaxTtl() {
    return maxTtl;
  }

  /** Sets the longest delay before re-resolving (>= minTtl). */
  public DnsSourceOptions setMaxTtl(Duration maxTtl) {
    this.maxTtl = maxTtl;
    return this;
  }

  /** The first retry delay after a failed resolution (default 1 s; doubles, with jitter). */
  public Duration getRetryInitialDelay() {
    return retryInitialDelay;
  }

  /** Sets the first retry delay after a failed resolution (> 0). */
  public DnsSourceOptions setRetryInitialDelay(Duration retryInitialDelay) {
    this.retryInitialDelay = retryInitialDelay;
    return this;
  }

  /** The longest retry delay after failed resolutions (default 30 s). */
  public Duration getRetryMaxDelay() {
    return retryMaxDelay;
  }

  /** Sets the longest retry delay after failed resolutions (>= retryInitialDelay). */
  public DnsSourceOptions setRetryMaxDelay(Duration retryMaxDelay) {
    this.retryMaxDelay = retryMaxDelay;
    return this;
  }

  @Override
  public String toString() {
    return "DnsSourceOptions" + toJson().encode();
  }
}
