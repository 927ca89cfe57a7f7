package dev.loadstar.gateway.internal.admin;

import io.vertx.core.Handler;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The admin API's Router handlers in front of every route: the Host check (DNS rebinding), the same-origin check
 * for changes (cross-site requests), and the bearer-token authentication (changes always; reads too when a token is
 * set, where a browser may instead present the session cookie {@code POST /api/session} set).
 */
public final class AdminGuards {

  /** The cookie a dashboard session carries instead of the token (HttpOnly, SameSite=Strict). */
  public static final String SESSION_COOKIE = "loadstar-admin-session";

  private final String host;
  private final List<String> allowedHosts;
  private final byte[] token;
  private final byte[] session;

  /** Guards for a server bound to {@code host}; {@code token} null when none is set. */
  public AdminGuards(String host, List<String> allowedHosts, String token) {
    this.host = host;
    this.allowedHosts = List.copyOf(allowedHosts);
    this.token = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
    this.session = token == null ? null : sessionValue(token).getBytes(StandardCharsets.UTF_8);
  }

  /** Whether a token is set. */
  public boolean tokenRequired() {
    return token != null;
  }

  /** Whether a bind address is a loopback address ({@code 127.x}, {@code ::1}, {@code localhost}). */
  public static boolean isLoopback(String host) {
    return host.equals("localhost") || host.startsWith("127.") || host.equals("::1") || host.equals("[::1]")
        || host.equals("0:0:0:0:0:0:0:1");
  }

  /**
   * Answers only requests addressed to this server by a name it accepts: a loopback name, the bind address, or an
   * {@code allowedHosts} entry. A page on another site that rebinds its DNS name to 127.0.0.1 sends its own name as
   * Host, so it is refused before it can read or change anything.
   */
  public Handler<RoutingContext> hostCheck() {
    return ctx -> {
      String header = ctx.request().getHeader("Host");
      String name = header == null ? null : hostName(header);
      if (name == null || !(isLoopback(name) || name.equalsIgnoreCase(host) || allowedHosts.stream()
          .anyMatch(name::equalsIgnoreCase))) {
        throw new ApiError(403, "HostNotAllowed", "Host " + (header == null ? "(none)" : "\"" + header + "\"")
            + " is not accepted (expected: a loopback name, the bind address " + host
            + " or a name listed in admin.allowedHosts)");
      }
      ctx.next();
    };
  }

  /** Refuses a path with a malformed %-escape (400) before any route decodes it. */
  public Handler<RoutingContext> wellFormedPath() {
    return ctx -> {
      String path = ctx.request().path();
      for (int i = path == null ? -1 : path.indexOf('%'); i >= 0; i = path.indexOf('%', i + 1)) {
        if (i + 2 >= path.length() || Character.digit(path.charAt(i + 1), 16) < 0
            || Character.digit(path.charAt(i + 2), 16) < 0) {
          throw new ApiError(400, "BadRequest", "the path has a malformed %-escape (expected: % and two hex digits)");
        }
      }
      ctx.next();
    };
  }

  /** The host part of a Host header ({@code name}, {@code name:port}, {@code [::1]:port}), or null when malformed. */
  public static String hostName(String header) {
    String h = header.trim();
    if (h.startsWith("[")) {
      int end = h.indexOf(']');
      return end < 0 ? null : h.substring(1, end);
    }
    int colon = h.indexOf(':');
    String name = colon < 0 ? h : h.substring(0, colon);
    return name.isEmpty() ? null : name;
  }

  /** Whether the request only reads ({@code GET}, {@code HEAD}). */
  public static boolean isRead(HttpServerRequest req) {
    return req.method() == HttpMethod.GET || req.method() == HttpMethod.HEAD;
  }

  /**
   * For a change: refuses what a browser sends on behalf of another site, then requires the bearer token. Reads
   * pass through.
   */
  public Handler<RoutingContext> changes() {
    return ctx -> {
      if (!isRead(ctx.request())) {
        checkSameOrigin(ctx.request());
        authorize(ctx, false);
      }
      ctx.next();
    };
  }

  /** For a read of state: requires the token (or the dashboard's session cookie) when one is set. */
  public Handler<RoutingContext> reads() {
    return ctx -> {
      if (isRead(ctx.request())) {
        authorize(ctx, true);
      }
      ctx.next();
    };
  }

  /**
   * Refuses a change a browser sends on behalf of another site: {@code Sec-Fetch-Site} other than
   * {@code same-origin}/{@code none}, or an {@code Origin} whose authority is not this request's Host. A body must be
   * {@code application/json}, which a page on another site cannot send without a CORS preflight (never answered).
   */
  private static void checkSameOrigin(HttpServerRequest req) {
    String site = req.getHeader("Sec-Fetch-Site");
    if (site != null && !site.equalsIgnoreCase("same-origin") && !site.equalsIgnoreCase("none")) {
      throw new ApiError(403, "CrossSiteRequest", "Sec-Fetch-Site: " + site
          + " (expected: same-origin or none: the admin API takes no changes from other sites)");
    }
    String origin = req.getHeader("Origin");
    if (origin != null) {
      String hostHeader = req.getHeader("Host");
      String authority = origin.startsWith("http://") ? origin.substring(7)
          : origin.startsWith("https://") ? origin.substring(8) : null;
      if (authority == null || hostHeader == null || !authority.equalsIgnoreCase(hostHeader.trim())) {
        throw new ApiError(403, "CrossSiteRequest", "Origin: " + origin
            + " (expected: this server's own origin: the admin API takes no changes from other sites)");
      }
    }
    String length = req.getHeader("Content-Length");
    boolean hasBody = req.getHeader("Transfer-Encoding") != null || length != null && !length.trim().equals("0");
    if (hasBody) {
      String type = req.getHeader("Content-Type");
      String mime = type == null ? "" : type.split(";", 2)[0].trim();
      if (!mime.equalsIgnoreCase("application/json")) {
        throw new ApiError(415, "UnsupportedMediaType", "Content-Type: " + (type == null ? "(none)" : type)
            + " (expected: application/json)");
      }
    }
  }

  private void authorize(RoutingContext ctx, boolean read) {
    if (token == null) {
      return;
    }
    String auth = ctx.request().getHeader("Authorization");
    if (auth == null || !auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
      if (read) {
        Cookie c = ctx.request().getCookie(SESSION_COOKIE);
        if (c != null && MessageDigest.isEqual(c.getValue().getBytes(StandardCharsets.UTF_8), session)) {
          return;
        }
      }
      ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"loadstar-admin\"");
      throw new ApiError(401, "Unauthorized", (read ? "reads" : "changes")
          + " need a bearer token (Authorization: Bearer <token>, the admin.token of the configuration)");
    }
    byte[] given = auth.substring(7).trim().getBytes(StandardCharsets.UTF_8);
    if (!MessageDigest.isEqual(given, token)) {
      throw new ApiError(403, "AccessDenied", "the bearer token is not valid");
    }
  }

  /** {@code POST /api/session} (the token checked by {@link #changes()}): sets the session cookie; 204. */
  public void startSession(RoutingContext ctx) {
    if (session != null) {
      ctx.response().addCookie(Cookie.cookie(SESSION_COOKIE, new String(session, StandardCharsets.UTF_8))
          .setHttpOnly(true).setSameSite(CookieSameSite.STRICT).setPath("/"));
    }
    ctx.response().setStatusCode(204).end();
  }

  /** {@code DELETE /api/session}: clears the session cookie; 204. */
  public void endSession(RoutingContext ctx) {
    ctx.response().addCookie(Cookie.cookie(SESSION_COOKIE, "").setHttpOnly(true)
        .setSameSite(CookieSameSite.STRICT).setPath("/").setMaxAge(0));
    ctx.response().setStatusCode(204).end();
  }

  /** The cookie value for a token: a digest, so the cookie never carries the token itself. */
  private static String sessionValue(String token) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      d.update("loadstar-admin-session\0".getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d.digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
