package dev.loadstar.routing.internal;

import dev.loadstar.routing.Condition;
import dev.loadstar.routing.RoutingRequest;
import dev.loadstar.routing.Rule;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The straightforward evaluator: every rule in priority order, each condition checked with regular expressions
 * built from the wildcard patterns. It is the specification the compiled matcher is tested against; its cost is
 * linear in the number of rules.
 */
public final class ReferenceMatcher implements RuleMatcher {

  private final List<Rule> rules;
  private final Rule defaultRule;
  private final List<List<Pattern[]>> compiled = new ArrayList<>();

  /** A reference matcher over rules sorted by ascending priority. */
  public ReferenceMatcher(List<Rule> sortedRules, Rule defaultRule) {
    this.rules = sortedRules;
    this.defaultRule = defaultRule;
    for (Rule r : sortedRules) {
      List<Pattern[]> perCondition = new ArrayList<>();
      for (Condition c : r.conditions()) {
        Pattern[] ps = new Pattern[c.values().size() * 2];
        for (int i = 0; i < c.values().size(); i++) {
          switch (c.type()) {
            case HOST_HEADER:
              String v = c.values().get(i);
              int colon = v.indexOf(':');
              ps[i] = regex(colon >= 0 ? v.substring(0, colon) : v, true);
              break;
            case PATH_PATTERN:
              ps[i] = regex(c.values().get(i), false);
              break;
            case HTTP_HEADER:
              ps[i] = regex(c.values().get(i), true);
              break;
            case QUERY_STRING:
              Condition.QueryPair p = c.queryPairs().get(i);
              ps[2 * i] = p.key() == null ? null : regex(p.key(), true);
              ps[2 * i + 1] = regex(p.value(), true);
              break;
            default:
              break;
          }
        }
        perCondition.add(ps);
      }
      compiled.add(perCondition);
    }
  }

  private static Pattern regex(String glob, boolean ignoreCase) {
    StringBuilder b = new StringBuilder();
    StringBuilder lit = new StringBuilder();
    for (char c : glob.toCharArray()) {
      if (c == '*' || c == '?') {
        if (lit.length() > 0) {
          b.append(Pattern.quote(lit.toString()));
          lit.setLength(0);
        }
        b.append(c == '*' ? ".*" : ".");
      } else {
        lit.append(c);
      }
    }
    if (lit.length() > 0) {
      b.append(Pattern.quote(lit.toString()));
    }
    return Pattern.compile(b.toString(), Pattern.DOTALL | (ignoreCase ? Pattern.CASE_INSENSITIVE : 0));
  }

  @Override
  public Rule match(RoutingRequest r) {
    for (int i = 0; i < rules.size(); i++) {
      Rule rule = rules.get(i);
      boolean all = true;
      for (int c = 0; all && c < rule.conditions().size(); c++) {
        all = matches(rule.conditions().get(c), compiled.get(i).get(c), r);
      }
      if (all) {
        return rule;
      }
    }
    return defaultRule;
  }

  private static boolean matches(Condition c, Pattern[] ps, RoutingRequest r) {
    List<String> vals = c.values();
    for (int i = 0; i < vals.size(); i++) {
      if (valueMatches(c, i, ps, r)) {
        return true;
      }
    }
    return false;
  }

  private static boolean valueMatches(Condition c, int i, Pattern[] ps, RoutingRequest r) {
    String v = c.values().get(i);
    switch (c.type()) {
      case HTTP_REQUEST_METHOD:
        return v.equals(r.method());
      case LISTENER_PORT:
        return Integer.parseInt(v) == r.listenerPort();
      case HOST_HEADER:
        int colon = v.indexOf(':');
        if (colon >= 0 && Integer.parseInt(v.substring(colon + 1)) != r.hostPort()) {
          return false;
        }
        return ps[i].matcher(r.host()).matches();
      case PATH_PATTERN:
        return ps[i].matcher(r.path()).matches();
      case HTTP_HEADER:
        for (String hv : r.headers().getAll(c.headerName())) {
          if (ps[i].matcher(hv).matches()) {
            return true;
          }
        }
        return false;
      case QUERY_STRING:
        if (r.query() == null) {
          return false;
        }
        for (String part : r.query().split("&", -1)) {
          if (part.isEmpty()) {
            continue;
          }
          int eq = part.indexOf('=');
          String key = QueryStrings.decode(part, 0, eq < 0 ? part.length() : eq);
          String value = eq < 0 ? "" : QueryStrings.decode(part, eq + 1, part.length());
          if ((ps[2 * i] == null || ps[2 * i].matcher(key).matches()) && ps[2 * i + 1].matcher(value).matches()) {
            return true;
          }
        }
        return false;
      case SOURCE_IP:
        return cidrContains(v, r.sourceAddressBytes());
      default:
        throw new IllegalStateException(c.type().toString());
    }
  }

  private static boolean cidrContains(String cidr, byte[] addr) {
    int slash = cidr.indexOf('/');
    byte[] net = IpAddresses.parse(cidr.substring(0, slash));
    int prefix = Integer.parseInt(cidr.substring(slash + 1));
    if (addr == null || net == null || addr.length != net.length) {
      return false;
    }
    int bits = net.length * 8;
    BigInteger a = new BigInteger(1, addr).shiftRight(bits - prefix);
    BigInteger n = new BigInteger(1, net).shiftRight(bits - prefix);
    return a.equals(n);
  }
}
