package dev.loadstar.routing;

import dev.loadstar.core.config.Checks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * What a rule does with a matching request: forward to one target group, forward to weighted target groups,
 * redirect, or answer with a fixed response.
 *
 * <p>Immutable. Values are validated, with the rule's name in the message, when a {@link RuleSet} is built.
 */
public final class Action {

  /** The action type, named as in ALB's API. */
  public enum Type {
    /** {@code forward}: to one group, or to up to five weighted groups. */
    FORWARD("forward"),
    /** {@code redirect}: an {@code HTTP_301} or {@code HTTP_302} to a URL built from placeholders. */
    REDIRECT("redirect"),
    /** {@code fixed-response}: a status, a content type and a body. */
    FIXED_RESPONSE("fixed-response");

    private final String apiName;

    Type(String apiName) {
      this.apiName = apiName;
    }

    /** The type as ALB spells it. */
    public String apiName() {
      return apiName;
    }
  }

  /**
   * A target group of a forward action with its weight (0-999).
   *
   * @param name the target group name
   * @param weight the relative weight
   */
  public record WeightedGroup(String name, int weight) {
    /** Checks the name for null. */
    public WeightedGroup {
      Objects.requireNonNull(name, "name");
    }
  }

  /** The redirect placeholder for the request's protocol ({@code http} or {@code https}). */
  public static final String PROTOCOL = "#{protocol}";
  /** The redirect placeholder for the request's host. */
  public static final String HOST = "#{host}";
  /** The redirect placeholder for the request's port. */
  public static final String PORT = "#{port}";
  /** The redirect placeholder for the request's path without its leading slash. */
  public static final String PATH = "#{path}";
  /** The redirect placeholder for the request's query string without {@code ?}. */
  public static final String QUERY = "#{query}";

  private final Type type;
  private final List<WeightedGroup> groups;
  private final Duration stickiness;
  private final int statusCode;
  private final String protocol;
  private final String host;
  private final String port;
  private final String path;
  private final String query;
  private final String contentType;
  private final String body;

  private Action(Type type, List<WeightedGroup> groups, Duration stickiness, int statusCode, String protocol,
      String host, String port, String path, String query, String contentType, String body) {
    this.type = type;
    this.groups = groups;
    this.stickiness = stickiness;
    this.statusCode = statusCode;
    this.protocol = protocol;
    this.host = host;
    this.port = port;
    this.path = path;
    this.query = query;
    this.contentType = contentType;
    this.body = body;
  }

  /** Forward to one target group. */
  public static Action forward(String targetGroup) {
    return new Action(Type.FORWARD, List.of(new WeightedGroup(targetGroup, 1)), null, 0, null, null, null, null,
        null, null, null);
  }

  /** Forward to up to five weighted target groups, without group-level stickiness. */
  public static Action weightedForward(WeightedGroup... groups) {
    return weightedForward(null, groups);
  }

  /**
   * Forward to up to five weighted target groups; with a {@code stickiness} duration (1-604800 s) a client keeps
   * going to the group it was first sent to, through the listener's own group cookie ({@code LSALBTG}).
   */
  public static Action weightedForward(Duration stickiness, WeightedGroup... groups) {
    Objects.requireNonNull(groups, "groups");
    List<WeightedGroup> l = new ArrayList<>();
    for (WeightedGroup g : groups) {
      l.add(Objects.requireNonNull(g, "group"));
    }
    return new Action(Type.FORWARD, Collections.unmodifiableList(l), stickiness, 0, null, null, null, null, null,
        null, null);
  }

  /** A weighted group for {@link #weightedForward}. */
  public static WeightedGroup group(String name, int weight) {
    return new WeightedGroup(name, weight);
  }

  /**
   * A redirect with ALB's defaults for every URL part ({@code #{protocol}}, {@code #{host}}, {@code #{port}},
   * {@code /#{path}}, {@code #{query}}); change at least one part with the {@code with...} methods.
   *
   * @param statusCode 301 ({@code HTTP_301}) or 302 ({@code HTTP_302})
   */
  public static Action redirect(int statusCode) {
    return new Action(Type.REDIRECT, List.of(), null, statusCode, PROTOCOL, HOST, PORT, "/" + PATH, QUERY, null, null);
  }

  /** A fixed response: status 2XX, 4XX or 5XX, one of ALB's content types (or null), a body of at most 1024 characters (or null). */
  public static Action fixedResponse(int statusCode, String contentType, String body) {
    return new Action(Type.FIXED_RESPONSE, List.of(), null, statusCode, null, null, null, null, null, contentType, body);
  }

  private Action redirectWith(String protocol, String host, String port, String path, String query) {
    if (type != Type.REDIRECT) {
      throw new IllegalStateException("not a redirect action: " + this);
    }
    return new Action(type, groups, null, statusCode, Objects.requireNonNull(protocol, "protocol"),
        Objects.requireNonNull(host, "host"), Objects.requireNonNull(port, "port"), Objects.requireNonNull(path, "path"),
        Objects.requireNonNull(query, "query"), null, null);
  }

  /** This redirect with another protocol ({@code HTTP}, {@code HTTPS} or {@code #{protocol}}). */
  public Action withProtocol(String protocol) {
    return redirectWith(protocol, host, port, path, query);
  }

  /** This redirect with another host (placeholders allowed: {@code #{host}}). */
  public Action withHost(String host) {
    return redirectWith(protocol, host, port, path, query);
  }

  /** This redirect with another port (1-65535 or {@code #{port}}). */
  public Action withPort(String port) {
    return redirectWith(protocol, host, port, path, query);
  }

  /** This redirect with another path, starting with {@code /} (placeholders: host, port, path). */
  public Action withPath(String path) {
    return redirectWith(protocol, host, port, path, query);
  }

  /** This redirect with another query, without {@code ?} (every placeholder allowed). */
  public Action withQuery(String query) {
    return redirectWith(protocol, host, port, path, query);
  }

  /** The action type. */
  public Type type() {
    return type;
  }

  /** The target groups of a forward action with their weights (one group for a plain forward). */
  public List<WeightedGroup> targetGroups() {
    return groups;
  }

  /**
   * The group a forward sends one request to: its only group, or one picked at random in proportion to the weights
   * (a group of weight 0 is never picked). The one weighted pick of the listener and the client's router.
   */
  public String pickTargetGroup() {
    if (groups.size() == 1) {
      return groups.get(0).name();
    }
    int total = 0;
    for (WeightedGroup g : groups) {
      total += g.weight();
    }
    if (total <= 0) {
      return groups.get(0).name();
    }
    int x = java.util.concurrent.ThreadLocalRandom.current().nextInt(total);
    for (WeightedGroup g : groups) {
      x -= g.weight();
      if (x < 0) {
        return g.name();
      }
    }
    return groups.get(groups.size() - 1).name();
  }

  /** Whether this forward names more than one group, or was built with weights. */
  public boolean isWeighted() {
    return type == Type.FORWARD && (groups.size() > 1 || stickiness != null);
  }

  /** The group-level stickiness duration of a weighted forward, or {@code null} when off. */
  public Duration stickiness() {
    return stickiness;
  }

  /** The status code of a redirect or fixed response. */
  public int statusCode() {
    return statusCode;
  }

  /** The redirect protocol. */
  public String protocol() {
    return protocol;
  }

  /** The redirect host. */
  public String host() {
    return host;
  }

  /** The redirect port. */
  public String port() {
    return port;
  }

  /** The redirect path. */
  public String path() {
    return path;
  }

  /** The redirect query. */
  public String query() {
    return query;
  }

  /** The fixed response's content type, or {@code null}. */
  public String contentType() {
    return contentType;
  }

  /** The fixed response's body, or {@code null}. */
  public String body() {
    return body;
  }

  @Override
  public String toString() {
    switch (type) {
      case FORWARD:
        return "forward" + groups + (stickiness != null ? " stickiness=" + stickiness.getSeconds() + "s" : "");
      case REDIRECT:
        return "redirect HTTP_" + statusCode + " " + protocol + "://" + host + ":" + port + path + "?" + query;
      default:
        return "fixed-response " + statusCode + " " + contentType;
    }
  }
}
