package dev.loadstar.routing.internal;

import dev.loadstar.routing.RoutingRequest;
import dev.loadstar.routing.Rule;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The compiled rule matcher. Rules are indexed in two levels: by host pattern (exact hosts in a hash map, literal
 * prefixes and suffixes in tries, the rest in a catch-all bucket), then, inside each host bucket, by path pattern in
 * the same way. A request visits only the buckets its host and path reach (O(length of host + path)), collects
 * the candidate rules, sorts them by priority and evaluates them in full, lowest priority first. The result equals
 * {@link ReferenceMatcher}'s, which evaluates every rule in order.
 */
public final class CompiledMatcher implements RuleMatcher {

  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  private final CompiledRule[] rules;
  private final Rule defaultRule;
  private final StringIndex<StringIndex<int[]>> hosts;

  /** A matcher over rules sorted by ascending priority. */
  public CompiledMatcher(List<Rule> sortedRules, Rule defaultRule) {
    this.defaultRule = defaultRule;
    this.rules = new CompiledRule[sortedRules.size()];
    StringIndex.Builder<StringIndex.Builder<IntList, int[]>, StringIndex<int[]>> hb =
        new StringIndex.Builder<>(() -> new StringIndex.Builder<>(IntList::new));
    for (int i = 0; i < rules.length; i++) {
      CompiledRule cr = new CompiledRule(sortedRules.get(i), i);
      rules[i] = cr;
      for (StringIndex.Builder<IntList, int[]> pb : buckets(hb, cr.hostPatterns())) {
        for (IntList bucket : buckets(pb, cr.pathPatterns())) {
          bucket.add(i);
        }
      }
    }
    this.hosts = hb.build(pb -> pb.build(IntList::toArray));
  }

  private static <B> List<B> buckets(StringIndex.Builder<B, ?> b, String[] patterns) {
    List<B> out = new ArrayList<>(2);
    if (patterns == null) {
      out.add(b.any());
      return out;
    }
    for (String p : patterns) {
      B bucket = b.forPattern(p);
      boolean seen = false;
      for (B o : out) {
        seen |= o == bucket;
      }
      if (!seen) {
        out.add(bucket);
      }
    }
    return out;
  }

  @Override
  public Rule match(RoutingRequest r) {
    Scratch s = SCRATCH.get();
    s.n = 0;
    s.path = r.path();
    hosts.visit(r.host(), s);
    int n = s.n;
    int[] a = s.a;
    if (n > 1) {
      Arrays.sort(a, 0, n);
    }
    int prev = -1;
    for (int k = 0; k < n; k++) {
      int idx = a[k];
      if (idx != prev) {
        prev = idx;
        if (rules[idx].matches(r)) {
          s.path = null;
          return rules[idx].rule;
        }
      }
    }
    s.path = null;
    return defaultRule;
  }

  /** Per-thread candidate buffer. */
  private static final class Scratch implements StringIndex.Sink<StringIndex<int[]>> {
    int[] a = new int[64];
    int n;
    String path;
    private final StringIndex.Sink<int[]> ints = this::addAll;

    @Override
    public void accept(StringIndex<int[]> paths) {
      paths.visit(path, ints);
    }

    private void addAll(int[] xs) {
      if (n + xs.length > a.length) {
        a = Arrays.copyOf(a, Math.max(a.length * 2, n + xs.length));
      }
      System.arraycopy(xs, 0, a, n, xs.length);
      n += xs.length;
    }
  }

  /** A growable int list used while building. */
  private static final class IntList {
    private int[] a = new int[4];
    private int n;

    void add(int x) {
      if (n > 0 && a[n - 1] == x) {
        return;
      }
      if (n == a.length) {
        a = Arrays.copyOf(a, n * 2);
      }
      a[n++] = x;
    }

    int[] toArray() {
      return Arrays.copyOf(a, n);
    }
  }
}
