package dev.loadstar.routing;

import dev.loadstar.core.config.Checks;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * One condition of a listener rule, with ALB's semantics: several values in one condition are OR'ed; several
 * conditions in one rule are AND'ed.
 *
 * <p>Immutable. Factories check only for nulls; the values are validated, with the rule's name in the message, when
 * a {@link RuleSet} is built.
 */
public final class Condition {

  /** The condition field, named as in ALB's API. */
  public enum Type {
    /** {@code host-header}: case-insensitive, {@code *} and {@code ?} wildcards; a {@code host:port} value also
     * requires the request's port. */
    HOST_HEADER("host-header"),
    /** {@code path-pattern}: case-sensitive, wildcards, the path only (never the query string). */
    PATH_PATTERN("path-pattern"),
    /** {@code http-header}: name and values case-insensitive, wildcards in values. */
    HTTP_HEADER("http-header"),
    /** {@code http-request-method}: exact and case-sensitive. */
    HTTP_REQUEST_METHOD("http-request-method"),
    /** {@code query-string}: key/value pairs (key optional), case-insensitive, wildcards. */
    QUERY_STRING("query-string"),
    /** {@code source-ip}: IPv4/IPv6 CIDR blocks matched against the peer address (not X-Forwarded-For). */
    SOURCE_IP("source-ip"),
    /** {@code listener-port}: the port the request was addressed to (the listener's port). */
    LISTENER_PORT("listener-port");

    private final String apiName;

    Type(String apiName) {
      this.apiName = apiName;
    }

    /** The field name as ALB spells it, e.g. {@code host-header}. */
    public String apiName() {
      return apiName;
    }
  }

  /**
   * One {@code query-string} pair: a parameter matches when its key matches {@code key} (any key when
   * {@code key} is null) and its value matches {@code value}; both case-insensitive with wildcards.
   *
   * @param key the key pattern, or {@code null} for any key
   * @param value the value pattern
   */
  public record QueryPair(String key, String value) {
    /** Checks the value for null. */
    public QueryPair {
      Objects.requireNonNull(value, "value");
    }

    @Override
    public String toString() {
      return key == null ? value : key + "=" + value;
    }
  }

  private final Type type;
  private final String headerName;
  private final List<String> values;
  private final List<QueryPair> pairs;

  private Condition(Type type, String headerName, List<String> values, List<QueryPair> pairs) {
    this.type = type;
    this.headerName = headerName;
    this.values = values;
    this.pairs = pairs;
  }

  private static List<String> list(String name, String... values) {
    Objects.requireNonNull(values, name);
    List<String> l = new ArrayList<>(values.length);
    for (String v : values) {
      l.add(Objects.requireNonNull(v, name + " value"));
    }
    return Collections.unmodifiableList(l);
  }

  /** {@code host-header}: host patterns such as {@code image.sample.com}, {@code *.example.com} or
   * {@code lambda.mydomain.com:6060} (host and port). */
  public static Condition hostHeader(String... hosts) {
    return new Condition(Type.HOST_HEADER, null, list("hosts", hosts), List.of());
  }

  /** {@code path-pattern}: path patterns such as {@code /img/*}; matched against the path only. */
  public static Condition pathPattern(String... paths) {
    return new Condition(Type.PATH_PATTERN, null, list("paths", paths), List.of());
  }

  /** {@code http-header}: the header {@code name} has a value matching one of the patterns. */
  public static Condition httpHeader(String name, String... values) {
    return new Condition(Type.HTTP_HEADER, Objects.requireNonNull(name, "name"), list("values", values), List.of());
  }

  /** {@code http-request-method}: one of the methods, exactly (e.g. {@code GET}, {@code PATCH}). */
  public static Condition httpRequestMethod(String... methods) {
    return new Condition(Type.HTTP_REQUEST_METHOD, null, list("methods", methods), List.of());
  }

  /** {@code query-string}: one of the pairs matches a parameter of the query string. */
  public static Condition queryString(QueryPair... pairs) {
    Objects.requireNonNull(pairs, "pairs");
    List<QueryPair> l = new ArrayList<>();
    for (QueryPair p : pairs) {
      l.add(Objects.requireNonNull(p, "pair"));
    }
    List<String> shown = new ArrayList<>();
    for (QueryPair p : l) {
      shown.add(p.toString());
    }
    return new Condition(Type.QUERY_STRING, null, Collections.unmodifiableList(shown), Collections.unmodifiableList(l));
  }

  /** A {@code query-string} pair with a key pattern and a value pattern. */
  public static QueryPair pair(String key, String value) {
    return new QueryPair(Objects.requireNonNull(key, "key"), value);
  }

  /** A {@code query-string} pair matching any key whose value matches. */
  public static QueryPair anyKey(String value) {
    return new QueryPair(null, value);
  }

  /** {@code source-ip}: CIDR blocks such as {@code 10.0.0.0/8} or {@code 2001:db8::/32}. */
  public static Condition sourceIp(String... cidrs) {
    return new Condition(Type.SOURCE_IP, null, list("cidrs", cidrs), List.of());
  }

  /** {@code listener-port}: the request arrived at one of these ports. */
  public static Condition listenerPort(int... ports) {
    Objects.requireNonNull(ports, "ports");
    String[] s = new String[ports.length];
    for (int i = 0; i < ports.length; i++) {
      s[i] = Integer.toString(ports[i]);
    }
    return new Condition(Type.LISTENER_PORT, null, List.of(s), List.of());
  }

  /** The field. */
  public Type type() {
    return type;
  }

  /** The header name of an {@code http-header} condition, else {@code null}. */
  public String headerName() {
    return headerName;
  }

  /** The values (for {@code query-string}, each pair as {@code key=value} or {@code value}). */
  public List<String> values() {
    return values;
  }

  /** The pairs of a {@code query-string} condition, else empty. */
  public List<QueryPair> queryPairs() {
    return pairs;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Condition c && c.type == type && Objects.equals(c.headerName, headerName)
        && c.values.equals(values) && c.pairs.equals(pairs);
  }

  @Override
  public int hashCode() {
    return Objects.hash(type, headerName, values, pairs);
  }

  @Override
  public String toString() {
    return type.apiName() + (headerName != null ? "[" + headerName + "]" : "") + Arrays.toString(values.toArray());
  }
}
