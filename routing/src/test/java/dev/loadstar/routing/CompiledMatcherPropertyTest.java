package dev.loadstar.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loadstar.routing.internal.ReferenceMatcher;
import io.vertx.core.MultiMap;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Property: for thousands of random rule sets and requests, the compiled matcher chooses exactly the rule the
 * reference evaluator chooses. Reproduce a failure with {@code -Drouting.seed=<seed printed in the message>}.
 */
class CompiledMatcherPropertyTest {

  private static final String[] LABELS = {"a", "b", "ab", "img", "api", "x", "web"};
  private static final String[] TLDS = {"com", "org"};
  private static final String[] SEGMENTS = {"a", "b", "img", "api", "v1", "x.png", "A"};
  private static final String[] METHODS = {"GET", "POST", "PUT"};
  private static final String[] HEADER_NAMES = {"x-a", "X-B"};
  private static final String[] HEADER_VALUES = {"yes", "no", "Yes-1", "a b"};
  private static final String[] QUERY_KEYS = {"k", "K2", "v"};
  private static final String[] QUERY_VALUES = {"1", "2", "ab", "a%20b", "A"};
  private static final String[] CIDRS =
      {"10.0.0.0/8", "10.1.0.0/16", "192.168.1.0/24", "2001:db8::/32", "::/0", "0.0.0.0/0", "10.1.2.3/32"};
  private static final String[] SOURCE_IPS = {"10.1.2.3", "10.2.0.1", "192.168.1.7", "2001:db8::1", "fe80::1"};
  private static final int[] PORTS = {80, 6060};

  private static final RuleLimits WIDE = RuleLimits.builder().maxRules(1000).maxValuesPerRule(12)
      .maxWildcardsPerRule(20).build();

  @Test
  void compiledMatcherAgreesWithReferenceEvaluator() {
    long seed = Long.getLong("routing.seed", System.nanoTime());
    Random random = new Random(seed);
    int ruleSets = 2000;
    int requestsPerSet = 40;
    int nonDefault = 0;
    for (int i = 0; i < ruleSets; i++) {
      RuleSet rules = randomRuleSet(random, 1 + random.nextInt(i % 20 == 0 ? 200 : 30));
      ReferenceMatcher reference = new ReferenceMatcher(rules.rules(), rules.defaultRule());
      for (int k = 0; k < requestsPerSet; k++) {
        RoutingRequest request = randomRequest(random);
        Rule expected = reference.match(request);
        Rule actual = rules.match(request);
        if (actual != expected) {
          throw new AssertionError("seed=" + seed + " (rerun with -Drouting.seed=" + seed + "), rule set " + i
              + ", request " + request + ": expected " + expected + " but compiled chose " + actual
              + "; rules: " + rules.rules());
        }
        if (!expected.isDefault()) {
          nonDefault++;
        }
      }
    }
    // the generators must exercise real matches, not only the default rule
    assertThat(nonDefault).as("seed=%d: requests matched by a non-default rule", seed)
        .isGreaterThan(ruleSets * requestsPerSet / 5);
  }

  private static String pick(Random r, String[] a) {
    return a[r.nextInt(a.length)];
  }

  private static String wild(Random r, String literal) {
    // replace a random run of the literal by * or one character by ?
    if (literal.isEmpty() || r.nextInt(3) == 0) {
      return literal;
    }
    int from = r.nextInt(literal.length());
    if (r.nextBoolean()) {
      int to = from + r.nextInt(literal.length() - from + 1);
      return literal.substring(0, from) + "*" + literal.substring(to);
    }
    return literal.substring(0, from) + "?" + literal.substring(from + 1);
  }

  private static String host(Random r) {
    int labels = 1 + r.nextInt(3);
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < labels; i++) {
      b.append(pick(r, LABELS)).append('.');
    }
    return b.append(pick(r, TLDS)).toString();
  }

  private static String hostPattern(Random r) {
    String h = host(r);
    int dot = h.lastIndexOf('.');
    String p = r.nextInt(4) == 0 ? "*" + h.substring(h.indexOf('.')) : wild(r, h.substring(0, dot)) + h.substring(dot);
    if (p.startsWith(".")) {
      p = "a" + p;
    }
    return r.nextInt(5) == 0 ? p + ":" + PORTS[r.nextInt(PORTS.length)] : p;
  }

  private static String path(Random r) {
    int n = r.nextInt(4);
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < n; i++) {
      b.append('/').append(pick(r, SEGMENTS));
    }
    return n == 0 ? "/" : b.toString();
  }

  private static String pathPattern(Random r) {
    String p = path(r);
    switch (r.nextInt(4)) {
      case 0:
        return p;
      case 1:
        return p + (p.endsWith("/") ? "*" : "/*");
      case 2:
        return "*" + p.substring(Math.max(0, p.length() - 3));
      default:
        return wild(r, p);
    }
  }

  private static Condition condition(Random r, int type) {
    int values = 1 + r.nextInt(2);
    String[] v = new String[values];
    switch (type) {
      case 0:
        for (int i = 0; i < values; i++) {
          v[i] = hostPattern(r);
        }
        return Condition.hostHeader(v);
      case 1:
        for (int i = 0; i < values; i++) {
          v[i] = pathPattern(r);
        }
        return Condition.pathPattern(v);
      case 2:
        for (int i = 0; i < values; i++) {
          v[i] = pick(r, METHODS);
        }
        return Condition.httpRequestMethod(v);
      case 3:
        for (int i = 0; i < values; i++) {
          v[i] = wild(r, pick(r, HEADER_VALUES));
        }
        return Condition.httpHeader(pick(r, HEADER_NAMES), v);
      case 4:
        Condition.QueryPair[] pairs = new Condition.QueryPair[values];
        for (int i = 0; i < values; i++) {
          String value = wild(r, pick(r, QUERY_VALUES).replace("%20", " "));
          pairs[i] = r.nextInt(3) == 0 ? Condition.anyKey(value) : Condition.pair(wild(r, pick(r, QUERY_KEYS)), value);
        }
        return Condition.queryString(pairs);
      case 5:
        for (int i = 0; i < values; i++) {
          v[i] = pick(r, CIDRS);
        }
        return Condition.sourceIp(v);
      default:
        return Condition.listenerPort(PORTS[r.nextInt(PORTS.length)]);
    }
  }

  private static RuleSet randomRuleSet(Random r, int count) {
    RuleSet.Builder b = RuleSet.builder().limits(WIDE).defaultAction(Action.forward("default"));
    Set<Integer> priorities = new HashSet<>();
    for (int i = 0; i < count; i++) {
      int priority;
      do {
        priority = 1 + r.nextInt(50_000);
      } while (!priorities.add(priority));
      List<Condition> conditions = new ArrayList<>();
      Set<Integer> used = new HashSet<>();
      int n = 1 + r.nextInt(3);
      for (int k = 0; k < n; k++) {
        // weight host and path conditions higher: those are what the index is built on
        int type = r.nextInt(10);
        type = type < 3 ? 0 : type < 6 ? 1 : type - 4;
        if ((type == 3 || type == 4) || used.add(type)) {
          conditions.add(condition(r, type));
        }
      }
      b.rule(Rule.named("r" + i, priority, Action.forward("g" + i), conditions.toArray(new Condition[0])));
    }
    return b.build();
  }

  private static String randomCase(Random r, String s) {
    StringBuilder b = new StringBuilder();
    for (char c : s.toCharArray()) {
      b.append(r.nextInt(4) == 0 ? Character.toUpperCase(c) : c);
    }
    return b.toString();
  }

  private static RoutingRequest randomRequest(Random r) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    for (String name : HEADER_NAMES) {
      if (r.nextBoolean()) {
        headers.add(r.nextBoolean() ? name.toUpperCase() : name, pick(r, HEADER_VALUES));
      }
    }
    StringBuilder q = new StringBuilder();
    int params = r.nextInt(3);
    for (int i = 0; i < params; i++) {
      if (i > 0) {
        q.append('&');
      }
      q.append(randomCase(r, pick(r, QUERY_KEYS)));
      if (r.nextInt(5) != 0) {
        q.append('=').append(pick(r, QUERY_VALUES));
      }
    }
    int port = PORTS[r.nextInt(PORTS.length)];
    return RoutingRequest.builder()
        .method(pick(r, METHODS))
        .hostHeader(randomCase(r, host(r)) + (r.nextBoolean() ? ":" + port : ""))
        .hostPort(80)
        .listenerPort(PORTS[r.nextInt(PORTS.length)])
        .path(path(r) + (r.nextInt(4) == 0 ? "/" : ""))
        .query(params == 0 && r.nextBoolean() ? null : q.toString())
        .headers(headers)
        .sourceIp(r.nextInt(6) == 0 ? null : pick(r, SOURCE_IPS))
        .build();
  }
}
