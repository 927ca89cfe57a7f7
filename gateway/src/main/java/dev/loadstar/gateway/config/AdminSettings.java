package dev.loadstar.gateway.config;

/**
 * The admin API's settings.
 *
 * @param enabled whether the admin server runs
 * @param host the address it binds (loopback unless a token is set)
 * @param port the port (0 picks a free port)
 * @param token the bearer token required for changes, or null for none
 * @param allowedHosts host names requests may address the server by, besides loopback names and the bind address
 */
public record AdminSettings(boolean enabled, String host, int port, String token, java.util.List<String> allowedHosts) {

  /** The default admin port. */
  public static final int DEFAULT_PORT = 9901;

  @Override
  public String toString() {
    return "AdminSettings{enabled=" + enabled + ", " + host + ":" + port + ", token=" + (token == null ? "none" : "set")
        + "}";
  }
}
