package dev.loadstar.core;

import dev.loadstar.core.config.Checks;
import java.util.Locale;
import java.util.Objects;

/**
 * What a request is hashed by for consistent-hashing algorithms ({@code ring_hash}, {@code maglev}): the client's
 * source IP (the default), a header, a cookie or a query parameter. A request without the value is spread at random.
 * Configured as the target group attribute {@code load_balancing.hash_key} ({@code source_ip},
 * {@code http_header:<name>}, {@code http_cookie:<name>}, {@code query_parameter:<name>}), a Loadstar attribute: ALB
 * has no consistent hashing.
 */
public final class HashKey {

  /** Where the key comes from. */
  public enum Source {
    /** The address of the connection's peer (never X-Forwarded-For). */
    SOURCE_IP("source_ip"),
    /** A request header (the first value). */
    HTTP_HEADER("http_header"),
    /** A request cookie. */
    HTTP_COOKIE("http_cookie"),
    /** A query-string parameter (the first value, as received). */
    QUERY_PARAMETER("query_parameter");

    private final String configName;

    Source(String configName) {
      this.configName = configName;
    }

    /** The name in {@code load_balancing.hash_key}. */
    public String configName() {
      return configName;
    }
  }

  private static final HashKey SOURCE_IP = new HashKey(Source.SOURCE_IP, null);
  private static final String EXPECTED = "source_ip, http_header:<name>, http_cookie:<name> or query_parameter:<name>";

  private final Source source;
  private final String name;

  private HashKey(Source source, String name) {
    this.source = source;
    this.name = name;
  }

  /** The client's source IP (the default). */
  public static HashKey sourceIp() {
    return SOURCE_IP;
  }

  /** The first value of a request header. */
  public static HashKey header(String name) {
    return new HashKey(Source.HTTP_HEADER, token("header", name));
  }

  /** The value of a request cookie. */
  public static HashKey cookie(String name) {
    return new HashKey(Source.HTTP_COOKIE, token("cookie", name));
  }

  /** The first value of a query parameter. */
  public static HashKey queryParameter(String name) {
    return new HashKey(Source.QUERY_PARAMETER, token("queryParameter", name));
  }

  /** Parses {@code load_balancing.hash_key}; fails with {@code load_balancing.hash_key: <value> (expected: ...)}. */
  public static HashKey parse(String value) {
    Checks.notNull("load_balancing.hash_key", value);
    String v = value.trim();
    if (v.equals(Source.SOURCE_IP.configName)) {
      return SOURCE_IP;
    }
    int colon = v.indexOf(':');
    if (colon > 0 && colon < v.length() - 1) {
      String kind = v.substring(0, colon).toLowerCase(Locale.ROOT);
      String name = v.substring(colon + 1).trim();
      if (name.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
        switch (kind) {
          case "http_header":
            return header(name);
          case "http_cookie":
            return cookie(name);
          case "query_parameter":
            return queryParameter(name);
          default:
            break;
        }
      }
    }
    throw Checks.invalid("load_balancing.hash_key", "\"" + value + "\"", EXPECTED);
  }

  private static String token(String field, String name) {
    Checks.notBlank(field, name);
    if (!name.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
      throw Checks.invalid(field, "\"" + name + "\"", "a header, cookie or parameter name (token characters)");
    }
    return name;
  }

  /** Where the key comes from. */
  public Source source() {
    return source;
  }

  /** The header, cookie or parameter name; null for {@link Source#SOURCE_IP}. */
  public String name() {
    return name;
  }

  /**
   * This key's value in a request: the source IP, the first value of the header, the cookie's value, or the first
   * value of the query parameter (as received, not decoded); null when the request has none.
   */
  public String valueIn(io.vertx.core.MultiMap headers, String query, String sourceIp) {
    switch (source) {
      case SOURCE_IP:
        return sourceIp;
      case HTTP_HEADER:
        return headers.get(name);
      case HTTP_COOKIE:
        return Cookies.get(headers.getAll("cookie"), name);
      default:
        return queryValue(query, name);
    }
  }

  private static String queryValue(String query, String name) {
    if (query == null) {
      return null;
    }
    int i = 0;
    int n = query.length();
    while (i < n) {
      int amp = query.indexOf('&', i);
      int end = amp < 0 ? n : amp;
      int eq = query.indexOf('=', i);
      int keyEnd = eq < 0 || eq > end ? end : eq;
      if (keyEnd - i == name.length() && query.regionMatches(i, name, 0, name.length())) {
        return keyEnd == end ? "" : query.substring(keyEnd + 1, end);
      }
      i = end + 1;
    }
    return null;
  }

  /** The configuration form ({@code http_header:X-User}). */
  @Override
  public String toString() {
    return name == null ? source.configName : source.configName + ":" + name;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof HashKey k && k.source == source && Objects.equals(k.name, name);
  }

  @Override
  public int hashCode() {
    return Objects.hash(source, name);
  }
}
