package dev.loadstar.routing.internal;

import dev.loadstar.routing.Action;
import dev.loadstar.routing.Condition;
import dev.loadstar.routing.Rule;
import dev.loadstar.routing.RuleLimits;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Validates rules against ALB's syntax and the {@link RuleLimits}; every error reads
 * {@code rule "NAME" FIELD: VALUE (expected: ...)}.
 */
public final class RuleValidator {

  /** Lowest rule priority. */
  public static final int MIN_PRIORITY = 1;
  /** Highest rule priority. */
  public static final int MAX_PRIORITY = 50_000;
  /** Most target groups in one forward action. */
  public static final int MAX_GROUPS = 5;
  /** Highest weight of a target group in a forward action. */
  public static final int MAX_WEIGHT = 999;
  /** Longest fixed-response body. */
  public static final int MAX_BODY = 1024;
  /** Longest redirect host, path or query. */
  public static final int MAX_REDIRECT_PART = 128;
  /** ALB's fixed-response content types. */
  public static final Set<String> CONTENT_TYPES =
      Set.of("text/plain", "text/css", "text/html", "application/javascript", "application/json");

  private static final String HOST_CHARS = "A-Z a-z 0-9 - . * ?";
  private static final String PATH_CHARS = "A-Z a-z 0-9 _ - . $ / ~ \" ' @ : + & * ?";
  private static final String PATH_EXTRA = "_-.$/~\"'@:+&*?";

  private RuleValidator() {
  }

  /** Validates the rules (any order) and the default rule. */
  public static void validate(List<Rule> rules, Rule defaultRule, RuleLimits limits) {
    if (rules.size() > limits.maxRules()) {
      throw new IllegalArgumentException("rules: " + rules.size() + " (expected: at most " + limits.maxRules()
          + " rules besides the default rule; raise RuleLimits.maxRules to allow more)");
    }
    Map<Integer, Rule> byPriority = new HashMap<>();
    for (Rule r : rules) {
      if (r.priority() < MIN_PRIORITY || r.priority() > MAX_PRIORITY) {
        throw fail(r, "priority", Integer.toString(r.priority()), MIN_PRIORITY + "-" + MAX_PRIORITY);
      }
      Rule other = byPriority.putIfAbsent(r.priority(), r);
      if (other != null) {
        throw fail(r, "priority", Integer.toString(r.priority()),
            "a priority not already used by rule \"" + other.name() + "\" (PriorityInUse)");
      }
      validateConditions(r, limits);
      validateAction(r, r.action());
    }
    validateAction(defaultRule, defaultRule.action());
  }

  static IllegalArgumentException fail(Rule r, String field, String value, String expected) {
    return new IllegalArgumentException("rule \"" + r.name() + "\" " + field + ": " + value + " (expected: "
        + expected + ")");
  }

  private static String q(String s) {
    return "\"" + s + "\"";
  }

  private static void validateConditions(Rule r, RuleLimits limits) {
    if (r.conditions().isEmpty()) {
      throw fail(r, "conditions", "[]", "at least one condition (only the default rule has none)");
    }
    Map<Condition.Type, Integer> seen = new EnumMap<>(Condition.Type.class);
    int values = 0;
    int wildcards = 0;
    for (Condition c : r.conditions()) {
      String field = c.type().apiName();
      int count = seen.merge(c.type(), 1, Integer::sum);
      if (count > 1 && c.type() != Condition.Type.HTTP_HEADER && c.type() != Condition.Type.QUERY_STRING) {
        throw fail(r, "conditions", count + " " + field + " conditions", "at most one " + field + " condition");
      }
      int n = c.values().size();
      if (n < 1 || n > limits.maxValuesPerCondition()) {
        throw fail(r, field, c.values().toString(), "1-" + limits.maxValuesPerCondition() + " values per condition");
      }
      values += n;
      if (c.type() == Condition.Type.HTTP_HEADER) {
        checkHeaderName(r, c.headerName());
      }
      for (int i = 0; i < n; i++) {
        String f = field + "[" + i + "]";
        switch (c.type()) {
          case HOST_HEADER:
            wildcards += checkHost(r, f, c.values().get(i), limits);
            break;
          case PATH_PATTERN:
            wildcards += checkPath(r, f, c.values().get(i), limits);
            break;
          case HTTP_HEADER:
            wildcards += checkVisible(r, field + "[" + c.headerName() + "][" + i + "]", c.values().get(i), limits);
            break;
          case HTTP_REQUEST_METHOD:
            checkMethod(r, f, c.values().get(i));
            break;
          case QUERY_STRING:
            Condition.QueryPair p = c.queryPairs().get(i);
            if (p.key() != null) {
              if (p.key().isEmpty()) {
                throw fail(r, f + ".key", q(p.key()), "a non-empty key, or no key to match any key");
              }
              wildcards += checkVisible(r, f + ".key", p.key(), limits);
            }
            wildcards += checkVisible(r, f + ".value", p.value(), limits);
            break;
          case SOURCE_IP:
            checkCidr(r, f, c.values().get(i));
            break;
          case LISTENER_PORT:
            int port = Integer.parseInt(c.values().get(i));
            if (port < 1 || port > 65535) {
              throw fail(r, f, c.values().get(i), "1-65535");
            }
            break;
          default:
            throw new IllegalStateException(c.type().toString());
        }
      }
    }
    if (values > limits.maxValuesPerRule()) {
      throw fail(r, "conditions", values + " values", "at most " + limits.maxValuesPerRule() + " values per rule");
    }
    if (wildcards > limits.maxWildcardsPerRule()) {
      throw fail(r, "conditions", wildcards + " wildcards",
          "at most " + limits.maxWildcardsPerRule() + " wildcards per rule");
    }
  }

  private static void checkLength(Rule r, String f, String v, RuleLimits limits) {
    if (v.isEmpty() || v.length() > limits.maxPatternLength()) {
      throw fail(r, f, q(v), "1-" + limits.maxPatternLength() + " characters");
    }
  }

  private static int checkVisible(Rule r, String f, String v, RuleLimits limits) {
    checkLength(r, f, v, limits);
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c <= 0x20 && c != ' ' || c >= 0x7f) {
        throw fail(r, f, q(v), "visible ASCII characters only");
      }
    }
    return Glob.wildcards(v);
  }

  private static int checkHost(Rule r, String f, String v, RuleLimits limits) {
    String host = v;
    int colon = v.lastIndexOf(':');
    if (colon >= 0) {
      host = v.substring(0, colon);
      String port = v.substring(colon + 1);
      int p = -1;
      if (!port.isEmpty() && port.length() <= 5 && port.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
        p = Integer.parseInt(port);
      }
      if (p < 1 || p > 65535) {
        throw fail(r, f, q(v), "a host pattern, optionally followed by :port with port 1-65535");
      }
    }
    checkLength(r, f, host, limits);
    for (int i = 0; i < host.length(); i++) {
      char c = host.charAt(i);
      boolean ok = c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.'
          || c == '*' || c == '?';
      if (!ok) {
        throw fail(r, f, q(v), "only " + HOST_CHARS);
      }
    }
    int dot = host.lastIndexOf('.');
    if (dot < 0) {
      throw fail(r, f, q(v), "at least one '.'");
    }
    for (int i = dot + 1; i < host.length(); i++) {
      char c = host.charAt(i);
      if (!(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z')) {
        throw fail(r, f, q(v), "only letters after the last '.'");
      }
    }
    if (dot == host.length() - 1) {
      throw fail(r, f, q(v), "only letters after the last '.'");
    }
    return Glob.wildcards(host);
  }

  private static int checkPath(Rule r, String f, String v, RuleLimits limits) {
    checkLength(r, f, v, limits);
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      boolean ok = c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || PATH_EXTRA.indexOf(c) >= 0;
      if (!ok) {
        throw fail(r, f, q(v), "only " + PATH_CHARS);
      }
    }
    return Glob.wildcards(v);
  }

  private static void checkHeaderName(Rule r, String name) {
    boolean ok = !name.isEmpty() && name.length() <= 40;
    for (int i = 0; ok && i < name.length(); i++) {
      char c = name.charAt(i);
      ok = c > 0x20 && c < 0x7f && "()<>@,;:\\\"/[]?={}*".indexOf(c) < 0;
    }
    if (!ok) {
      throw fail(r, "http-header name", q(name), "an HTTP header name token of 1-40 characters, without wildcards");
    }
  }

  private static void checkMethod(Rule r, String f, String m) {
    boolean ok = !m.isEmpty() && m.length() <= 40;
    for (int i = 0; ok && i < m.length(); i++) {
      char c = m.charAt(i);
      ok = c >= 'A' && c <= 'Z' || c == '-' || c == '_';
    }
    if (!ok) {
      throw fail(r, f, q(m), "1-40 characters of A-Z, - and _ (exact match, no wildcards)");
    }
  }

  private static void checkCidr(Rule r, String f, String v) {
    Cidr c = Cidr.parse(v);
    if (c == null) {
      throw fail(r, f, q(v), "an IPv4 or IPv6 CIDR block such as 10.0.0.0/8 or 2001:db8::/32, no wildcards");
    }
    if ("255.255.255.255/32".equals(v)) {
      throw fail(r, f, q(v), "a CIDR block other than 255.255.255.255/32");
    }
  }

  private static void validateAction(Rule r, Action a) {
    switch (a.type()) {
      case FORWARD:
        validateForward(r, a);
        break;
      case REDIRECT:
        validateRedirect(r, a);
        break;
      case FIXED_RESPONSE:
        validateFixed(r, a);
        break;
      default:
        throw new IllegalStateException(a.type().toString());
    }
  }

  private static void validateForward(Rule r, Action a) {
    List<Action.WeightedGroup> groups = a.targetGroups();
    if (groups.isEmpty() || groups.size() > MAX_GROUPS) {
      throw fail(r, "forward.targetGroups", groups.size() + " groups", "1-" + MAX_GROUPS + " target groups");
    }
    Set<String> names = new HashSet<>();
    int total = 0;
    for (int i = 0; i < groups.size(); i++) {
      Action.WeightedGroup g = groups.get(i);
      if (g.name().isBlank()) {
        throw fail(r, "forward.targetGroups[" + i + "].name", q(g.name()), "a target group name");
      }
      if (!names.add(g.name())) {
        throw fail(r, "forward.targetGroups[" + i + "].name", q(g.name()), "each target group at most once");
      }
      if (g.weight() < 0 || g.weight() > MAX_WEIGHT) {
        throw fail(r, "forward.targetGroups[" + i + "].weight", Integer.toString(g.weight()), "0-" + MAX_WEIGHT);
      }
      total += g.weight();
    }
    if (total == 0) {
      throw fail(r, "forward.targetGroups", "all weights 0", "at least one target group with a weight above 0");
    }
    if (a.stickiness() != null) {
      long s = a.stickiness().getSeconds();
      if (a.stickiness().getNano() != 0 || s < 1 || s > 604_800) {
        throw fail(r, "forward.stickiness.durationSeconds",
            a.stickiness().getNano() == 0 ? Long.toString(s) : a.stickiness().toMillis() / 1000.0 + "",
            "1-604800 seconds");
      }
    }
  }

  private static void validateRedirect(Rule r, Action a) {
    if (a.statusCode() != 301 && a.statusCode() != 302) {
      throw fail(r, "redirect.statusCode", Integer.toString(a.statusCode()), "HTTP_301 or HTTP_302");
    }
    String proto = a.protocol();
    if (!proto.equals(Action.PROTOCOL) && !proto.equals("HTTP") && !proto.equals("HTTPS")) {
      throw fail(r, "redirect.protocol", q(proto), "HTTP, HTTPS or #{protocol}");
    }
    String port = a.port();
    if (!port.equals(Action.PORT)) {
      int p = -1;
      if (!port.isEmpty() && port.length() <= 5 && port.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
        p = Integer.parseInt(port);
      }
      if (p < 1 || p > 65535) {
        throw fail(r, "redirect.port", q(port), "1-65535 or #{port}");
      }
    }
    checkRedirectPart(r, "redirect.host", a.host(), Set.of(Action.HOST), false);
    checkRedirectPart(r, "redirect.path", a.path(), Set.of(Action.HOST, Action.PORT, Action.PATH), false);
    checkRedirectPart(r, "redirect.query", a.query(),
        Set.of(Action.PROTOCOL, Action.HOST, Action.PORT, Action.PATH, Action.QUERY), true);
    if (!a.path().startsWith("/")) {
      throw fail(r, "redirect.path", q(a.path()), "a path starting with /");
    }
    if (a.host().isEmpty()) {
      throw fail(r, "redirect.host", q(a.host()), "a host or #{host}");
    }
    if (proto.equals(Action.PROTOCOL) && a.host().equals(Action.HOST) && port.equals(Action.PORT)
        && a.path().equals("/" + Action.PATH)) {
      throw fail(r, "redirect", proto + "://" + a.host() + ":" + port + a.path() + "?" + a.query(),
          "a change to at least one of protocol, host, port or path");
    }
  }

  private static void checkRedirectPart(Rule r, String field, String v, Set<String> allowed, boolean mayBeEmpty) {
    if (v.length() > MAX_REDIRECT_PART || !mayBeEmpty && v.isEmpty() && !field.endsWith("host")) {
      throw fail(r, field, q(v), "at most " + MAX_REDIRECT_PART + " characters");
    }
    int i = 0;
    while ((i = v.indexOf("#{", i)) >= 0) {
      int end = v.indexOf('}', i);
      String ph = end < 0 ? v.substring(i) : v.substring(i, end + 1);
      if (!allowed.contains(ph)) {
        throw fail(r, field, q(v), "only the placeholders " + String.join(" ", new java.util.TreeSet<>(allowed)));
      }
      i = end < 0 ? v.length() : end + 1;
    }
    for (int k = 0; k < v.length(); k++) {
      char c = v.charAt(k);
      if (c <= 0x20 || c >= 0x7f) {
        throw fail(r, field, q(v), "visible ASCII characters only");
      }
    }
  }

  private static void validateFixed(Rule r, Action a) {
    int s = a.statusCode();
    if (!(s >= 200 && s <= 299 || s >= 400 && s <= 599)) {
      throw fail(r, "fixed-response.statusCode", Integer.toString(s), "2XX, 4XX or 5XX");
    }
    if (a.contentType() != null && !CONTENT_TYPES.contains(a.contentType())) {
      throw fail(r, "fixed-response.contentType", q(a.contentType()),
          "text/plain, text/css, text/html, application/javascript or application/json");
    }
    if (a.body() != null && a.body().length() > MAX_BODY) {
      throw fail(r, "fixed-response.messageBody", a.body().length() + " characters",
          "at most " + MAX_BODY + " characters");
    }
  }
}
