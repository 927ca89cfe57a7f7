package dev.loadstar.routing;

import dev.loadstar.routing.internal.IpAddresses;
import io.vertx.core.MultiMap;
import java.util.Objects;

/**
 * The parts of a request that rule conditions look at: method, host and port, listener port, path, query string,
 * headers and source address.
 *
 * <p>Immutable once built. The host is stored lower case (ASCII) without its port.
 */
public final class RoutingRequest {

  private static final MultiMap NO_HEADERS = MultiMap.caseInsensitiveMultiMap();

  private final String method;
  private final String host;
  private final int hostPort;
  private final int listenerPort;
  private final String path;
  private final String query;
  private final MultiMap headers;
  private final String sourceIp;
  private byte[] sourceBytes;
  private boolean sourceParsed;

  private RoutingRequest(Builder b) {
    this.method = b.method;
    this.host = b.host;
    this.hostPort = b.hostPort > 0 ? b.hostPort : b.listenerPort;
    this.listenerPort = b.listenerPort;
    this.path = b.path;
    this.query = b.query;
    this.headers = b.headers;
    this.sourceIp = b.sourceIp;
  }

  /** A builder; method {@code GET}, path {@code /}, no host, port 80, no headers, no source by default. */
  public static Builder builder() {
    return new Builder();
  }

  /** The method, as sent (case-sensitive). */
  public String method() {
    return method;
  }

  /** The host, lower case, without port; empty when the request has none. */
  public String host() {
    return host;
  }

  /**
   * The port the request addressed: the Host header's port; when the header names none, the port the builder was
   * given with {@link Builder#hostPort(int)} (the gateway passes the scheme's default, 80 or 443), else the listener
   * port.
   */
  public int hostPort() {
    return hostPort;
  }

  /** The port of the listener the request arrived at (client-side: the URL's port). */
  public int listenerPort() {
    return listenerPort;
  }

  /** The path, without the query string. */
  public String path() {
    return path;
  }

  /** The raw query string without {@code ?}, or {@code null}. */
  public String query() {
    return query;
  }

  /** The headers (case-insensitive names). */
  public MultiMap headers() {
    return headers;
  }

  /** The peer's IP address as text, or {@code null} (client-side routing has none). */
  public String sourceIp() {
    return sourceIp;
  }

  /** The peer address as 4 or 16 bytes, or {@code null} when absent or not an IP literal. */
  public byte[] sourceAddressBytes() {
    if (!sourceParsed) {
      sourceBytes = sourceIp == null ? null : IpAddresses.parse(sourceIp);
      sourceParsed = true;
    }
    return sourceBytes;
  }

  @Override
  public String toString() {
    return method + " " + host + ":" + hostPort + " (listener " + listenerPort + ") " + path
        + (query != null ? "?" + query : "") + " from " + sourceIp + " " + headers.entries();
  }

  /** Builds a {@link RoutingRequest}. */
  public static final class Builder {
    private String method = "GET";
    private String host = "";
    private int hostPort = -1;
    private int listenerPort = 80;
    private String path = "/";
    private String query;
    private MultiMap headers = NO_HEADERS;
    private String sourceIp;

    private Builder() {
    }

    /** Sets the method. */
    public Builder method(String method) {
      this.method = Objects.requireNonNull(method, "method");
      return this;
    }

    /**
     * Sets host and port from a Host header value ({@code name}, {@code name:port}, {@code [v6]:port}); without a
     * port, the host port is the listener port unless {@link #hostPort(int)} says otherwise.
     */
    public Builder hostHeader(String hostHeader) {
      if (hostHeader == null) {
        this.host = "";
        return this;
      }
      int colon = hostHeader.lastIndexOf(':');
      int bracket = hostHeader.lastIndexOf(']');
      if (colon > bracket && colon >= 0) {
        String p = hostHeader.substring(colon + 1);
        this.host = lower(hostHeader.substring(0, colon));
        try {
          this.hostPort = p.isEmpty() ? -1 : Integer.parseInt(p);
        } catch (NumberFormatException e) {
          this.hostPort = -1;
        }
      } else {
        this.host = lower(hostHeader);
      }
      return this;
    }

    /** Sets the host (without port). */
    public Builder host(String host) {
      this.host = host == null ? "" : lower(host);
      return this;
    }

    /** Sets the port the request addressed (the Host header's port or the scheme's default). */
    public Builder hostPort(int port) {
      this.hostPort = port;
      return this;
    }

    /** Sets the listener port. */
    public Builder listenerPort(int port) {
      this.listenerPort = port;
      return this;
    }

    /** Sets the path (without query). */
    public Builder path(String path) {
      this.path = Objects.requireNonNull(path, "path");
      return this;
    }

    /** Sets the raw query string (without {@code ?}), or {@code null}. */
    public Builder query(String query) {
      this.query = query;
      return this;
    }

    /** Sets path and query from a request URI such as {@code /a/b?x=1}. */
    public Builder uri(String uri) {
      int q = uri.indexOf('?');
      this.path = q < 0 ? uri : uri.substring(0, q);
      this.query = q < 0 ? null : uri.substring(q + 1);
      return this;
    }

    /** Sets the headers (the map is used as is, not copied). */
    public Builder headers(MultiMap headers) {
      this.headers = headers == null ? NO_HEADERS : headers;
      return this;
    }

    /** Sets the peer IP address (IPv4 or IPv6 literal). */
    public Builder sourceIp(String ip) {
      this.sourceIp = ip;
      return this;
    }

    /** Builds the request. */
    public RoutingRequest build() {
      return new RoutingRequest(this);
    }

    private static String lower(String s) {
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c >= 'A' && c <= 'Z') {
          char[] a = s.toCharArray();
          for (int j = i; j < a.length; j++) {
            if (a[j] >= 'A' && a[j] <= 'Z') {
              a[j] = (char) (a[j] + 32);
            }
          }
          return new String(a);
        }
      }
      return s;
    }
  }
}
