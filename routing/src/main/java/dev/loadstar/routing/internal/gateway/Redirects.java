package dev.loadstar.routing.internal.gateway;

import dev.loadstar.routing.Action;
import dev.loadstar.routing.RoutingRequest;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/** The redirect and fixed-response actions, answered by the listener itself. */
final class Redirects {

  private Redirects() {
  }

  /**
   * A redirect action's location: ALB's placeholders filled from the request ({@code #{port}} is the Host header's
   * port, else the listener's port, as ALB), the scheme's default port left out.
   */
  static String location(HttpServerRequest req, RoutingRequest rr, Action a) {
    String inProto = req.isSSL() ? "https" : "http";
    String proto = a.protocol().equals(Action.PROTOCOL) ? inProto : a.protocol().toLowerCase(java.util.Locale.ROOT);
    boolean hostPort = req.authority() != null && req.authority().port() > 0;
    String port = Integer.toString(hostPort ? req.authority().port() : rr.listenerPort());
    String path = rr.path().startsWith("/") ? rr.path().substring(1) : rr.path();
    String query = rr.query() == null ? "" : rr.query();
    String host = fill(a.host(), inProto, rr.host(), port, path, query);
    String toPort = fill(a.port(), inProto, rr.host(), port, path, query);
    String toPath = fill(a.path(), inProto, rr.host(), port, path, query);
    String toQuery = fill(a.query(), inProto, rr.host(), port, path, query);
    boolean defaultPort = proto.equals("http") && toPort.equals("80") || proto.equals("https") && toPort.equals("443");
    return proto + "://" + host + (defaultPort ? "" : ":" + toPort) + toPath
        + (toQuery.isEmpty() ? "" : "?" + toQuery);
  }

  /** Answers a redirect action to {@code location}. */
  static void redirect(HttpServerRequest req, Action a, String location) {
    req.resume();
    req.response().setStatusCode(a.statusCode()).putHeader("location", location).putHeader("content-length", "0")
        .end();
  }

  private static String fill(String template, String proto, String host, String port, String path, String query) {
    if (template.indexOf('#') < 0) {
      return template;
    }
    return template.replace(Action.PROTOCOL, proto).replace(Action.HOST, host).replace(Action.PORT, port)
        .replace(Action.PATH, path).replace(Action.QUERY, query);
  }

  /** Answers a fixed-response action. */
  static void fixed(HttpServerRequest req, Action a) {
    req.resume();
    HttpServerResponse resp = req.response().setStatusCode(a.statusCode());
    if (a.contentType() != null) {
      resp.putHeader("content-type", a.contentType());
    }
    resp.end(a.body() == null ? "" : a.body());
  }
}
