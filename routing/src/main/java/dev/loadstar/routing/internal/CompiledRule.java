package dev.loadstar.routing.internal;

import dev.loadstar.routing.Condition;
import dev.loadstar.routing.RoutingRequest;
import dev.loadstar.routing.Rule;
import java.util.ArrayList;
import java.util.List;

/**
 * A validated rule's conditions prepared for evaluation: lower-cased host patterns, parsed CIDR blocks, and
 * allocation-free matching (a percent-escaped query parameter is decoded into a new string).
 */
final class CompiledRule {

  final Rule rule;
  final int order;
  private final String[] methods;
  private final int[] listenerPorts;
  private final String[] hostPatterns;
  private final int[] hostPorts;
  private final String[] pathPatterns;
  private final String[] headerNames;
  private final String[][] headerValues;
  private final String[][] queryKeys;
  private final String[][] queryValues;
  private final Cidr[] sources;

  CompiledRule(Rule rule, int order) {
    this.rule = rule;
    this.order = order;
    String[] m = null;
    int[] lp = null;
    String[] hp = null;
    int[] hports = null;
    String[] pp = null;
    Cidr[] src = null;
    List<String> hn = new ArrayList<>();
    List<String[]> hv = new ArrayList<>();
    List<String[]> qk = new ArrayList<>();
    List<String[]> qv = new ArrayList<>();
    for (Condition c : rule.conditions()) {
      List<String> vals = c.values();
      switch (c.type()) {
        case HTTP_REQUEST_METHOD:
          m = vals.toArray(new String[0]);
          break;
        case LISTENER_PORT:
          lp = vals.stream().mapToInt(Integer::parseInt).toArray();
          break;
        case HOST_HEADER:
          hp = new String[vals.size()];
          hports = new int[vals.size()];
          for (int i = 0; i < vals.size(); i++) {
            String v = vals.get(i);
            int colon = v.lastIndexOf(':');
            hp[i] = Glob.lower(colon >= 0 ? v.substring(0, colon) : v);
            hports[i] = colon >= 0 ? Integer.parseInt(v.substring(colon + 1)) : -1;
          }
          break;
        case PATH_PATTERN:
          pp = vals.toArray(new String[0]);
          break;
        case HTTP_HEADER:
          hn.add(c.headerName());
          hv.add(vals.toArray(new String[0]));
          break;
        case QUERY_STRING:
          String[] keys = new String[vals.size()];
          String[] values = new String[vals.size()];
          for (int i = 0; i < vals.size(); i++) {
            keys[i] = c.queryPairs().get(i).key();
            values[i] = c.queryPairs().get(i).value();
          }
          qk.add(keys);
          qv.add(values);
          break;
        case SOURCE_IP:
          src = vals.stream().map(Cidr::parse).toArray(Cidr[]::new);
          break;
        default:
          throw new IllegalStateException(c.type().toString());
      }
    }
    this.methods = m;
    this.listenerPorts = lp;
    this.hostPatterns = hp;
    this.hostPorts = hports;
    this.pathPatterns = pp;
    this.sources = src;
    this.headerNames = hn.toArray(new String[0]);
    this.headerValues = hv.toArray(new String[0][]);
    this.queryKeys = qk.toArray(new String[0][]);
    this.queryValues = qv.toArray(new String[0][]);
  }

  String[] hostPatterns() {
    return hostPatterns;
  }

  String[] pathPatterns() {
    return pathPatterns;
  }

  boolean matches(RoutingRequest r) {
    if (methods != null && !anyEquals(methods, r.method())) {
      return false;
    }
    if (listenerPorts != null && !anyEquals(listenerPorts, r.listenerPort())) {
      return false;
    }
    if (hostPatterns != null && !hostMatches(r)) {
      return false;
    }
    if (pathPatterns != null && !anyGlob(pathPatterns, r.path(), false)) {
      return false;
    }
    for (int i = 0; i < headerNames.length; i++) {
      if (!headerMatches(r, headerNames[i], headerValues[i])) {
        return false;
      }
    }
    for (int i = 0; i < queryKeys.length; i++) {
      if (!queryMatches(r.query(), queryKeys[i], queryValues[i])) {
        return false;
      }
    }
    if (sources != null) {
      byte[] addr = r.sourceAddressBytes();
      boolean any = false;
      for (Cidr c : sources) {
        if (c.contains(addr)) {
          any = true;
          break;
        }
      }
      if (!any) {
        return false;
      }
    }
    return true;
  }

  private boolean hostMatches(RoutingRequest r) {
    String host = r.host();
    for (int i = 0; i < hostPatterns.length; i++) {
      if ((hostPorts[i] < 0 || hostPorts[i] == r.hostPort()) && Glob.matches(hostPatterns[i], host, true)) {
        return true;
      }
    }
    return false;
  }

  private static boolean anyEquals(String[] values, String s) {
    for (String v : values) {
      if (v.equals(s)) {
        return true;
      }
    }
    return false;
  }

  private static boolean anyEquals(int[] values, int x) {
    for (int v : values) {
      if (v == x) {
        return true;
      }
    }
    return false;
  }

  private static boolean anyGlob(String[] patterns, String s, boolean ignoreCase) {
    for (String p : patterns) {
      if (Glob.matches(p, s, ignoreCase)) {
        return true;
      }
    }
    return false;
  }

  private static boolean headerMatches(RoutingRequest r, String name, String[] patterns) {
    List<String> values = r.headers().getAll(name);
    for (int i = 0; i < values.size(); i++) {
      if (anyGlob(patterns, values.get(i), true)) {
        return true;
      }
    }
    return false;
  }

  static boolean queryMatches(String query, String[] keys, String[] values) {
    if (query == null) {
      return false;
    }
    int len = query.length();
    int start = 0;
    while (start <= len) {
      int end = query.indexOf('&', start);
      if (end < 0) {
        end = len;
      }
      if (end > start) {
        int eq = query.indexOf('=', start);
        if (eq < 0 || eq > end) {
          eq = end;
        }
        for (int i = 0; i < keys.length; i++) {
          if (pairMatches(query, start, eq, end, keys[i], values[i])) {
            return true;
          }
        }
      }
      start = end + 1;
    }
    return false;
  }

  private static boolean pairMatches(String q, int start, int eq, int end, String key, String value) {
    if (key != null) {
      boolean ok = QueryStrings.hasEscape(q, start, eq)
          ? Glob.matches(key, QueryStrings.decode(q, start, eq), true)
          : Glob.matches(key, q, start, eq, true);
      if (!ok) {
        return false;
      }
    }
    int vs = eq < end ? eq + 1 : end;
    return QueryStrings.hasEscape(q, vs, end)
        ? Glob.matches(value, QueryStrings.decode(q, vs, end), true)
        : Glob.matches(value, q, vs, end, true);
  }
}
