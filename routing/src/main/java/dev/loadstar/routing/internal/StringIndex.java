package dev.loadstar.routing.internal;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * A string-keyed index of buckets that narrows which patterns can match a string: exact keys in a hash map,
 * literal prefixes in a character trie, literal suffixes in a trie of reversed keys, and one bucket for patterns
 * with neither. {@link #visit} reports every bucket whose patterns may match; it never misses one. The cost of a
 * visit is O(length of the string), independent of the number of patterns.
 */
final class StringIndex<V> {

  /** Receives buckets. */
  interface Sink<V> {
    void accept(V bucket);
  }

  private final Map<String, V> exact;
  private final Node prefix;
  private final Node suffix;
  private final V any;

  private StringIndex(Map<String, V> exact, Node prefix, Node suffix, V any) {
    this.exact = exact;
    this.prefix = prefix;
    this.suffix = suffix;
    this.any = any;
  }

  @SuppressWarnings("unchecked")
  void visit(String s, Sink<V> sink) {
    if (any != null) {
      sink.accept(any);
    }
    if (exact != null) {
      V v = exact.get(s);
      if (v != null) {
        sink.accept(v);
      }
    }
    int len = s.length();
    Node n = prefix;
    for (int i = 0; n != null && i < len; i++) {
      n = n.child(s.charAt(i));
      if (n != null && n.value != null) {
        sink.accept((V) n.value);
      }
    }
    n = suffix;
    for (int i = len - 1; n != null && i >= 0; i--) {
      n = n.child(s.charAt(i));
      if (n != null && n.value != null) {
        sink.accept((V) n.value);
      }
    }
  }

  /** A frozen trie node: children sorted by character, found by binary search. */
  private static final class Node {
    final char[] keys;
    final Node[] kids;
    final Object value;

    Node(char[] keys, Node[] kids, Object value) {
      this.keys = keys;
      this.kids = kids;
      this.value = value;
    }

    Node child(char c) {
      int lo = 0;
      int hi = keys.length - 1;
      while (lo <= hi) {
        int mid = (lo + hi) >>> 1;
        char k = keys[mid];
        if (k < c) {
          lo = mid + 1;
        } else if (k > c) {
          hi = mid - 1;
        } else {
          return kids[mid];
        }
      }
      return null;
    }
  }

  /** Builds an index; buckets are created on first use by the supplier and then frozen by the freezer. */
  static final class Builder<B, V> {
    private final Supplier<B> newBucket;
    private final Map<String, B> exact = new HashMap<>();
    private final BNode<B> prefix = new BNode<>();
    private final BNode<B> suffix = new BNode<>();
    private B any;

    Builder(Supplier<B> newBucket) {
      this.newBucket = newBucket;
    }

    B exact(String key) {
      return exact.computeIfAbsent(key, k -> newBucket.get());
    }

    B prefix(String key) {
      BNode<B> n = prefix;
      for (int i = 0; i < key.length(); i++) {
        n = n.kids.computeIfAbsent(key.charAt(i), c -> new BNode<>());
      }
      if (n.value == null) {
        n.value = newBucket.get();
      }
      return n.value;
    }

    B suffix(String key) {
      BNode<B> n = suffix;
      for (int i = key.length() - 1; i >= 0; i--) {
        n = n.kids.computeIfAbsent(key.charAt(i), c -> new BNode<>());
      }
      if (n.value == null) {
        n.value = newBucket.get();
      }
      return n.value;
    }

    B any() {
      if (any == null) {
        any = newBucket.get();
      }
      return any;
    }

    /**
     * The bucket for a pattern: exact when it has no wildcard, else by its longer literal end (suffix on a tie),
     * else the catch-all bucket.
     */
    B forPattern(String pattern) {
      if (!Glob.hasWildcard(pattern)) {
        return exact(pattern);
      }
      String pre = Glob.literalPrefix(pattern);
      String suf = Glob.literalSuffix(pattern);
      if (!suf.isEmpty() && suf.length() >= pre.length()) {
        return suffix(suf);
      }
      if (!pre.isEmpty()) {
        return prefix(pre);
      }
      return any();
    }

    StringIndex<V> build(java.util.function.Function<B, V> freeze) {
      Map<String, V> ex = null;
      if (!exact.isEmpty()) {
        ex = new HashMap<>(exact.size() * 2);
        for (Map.Entry<String, B> e : exact.entrySet()) {
          ex.put(e.getKey(), freeze.apply(e.getValue()));
        }
      }
      return new StringIndex<>(ex, prefix.kids.isEmpty() ? null : prefix.freeze(freeze),
          suffix.kids.isEmpty() ? null : suffix.freeze(freeze), any == null ? null : freeze.apply(any));
    }
  }

  private static final class BNode<B> {
    final TreeMap<Character, BNode<B>> kids = new TreeMap<>();
    B value;

    <V> Node freeze(java.util.function.Function<B, V> f) {
      char[] keys = new char[kids.size()];
      Node[] nodes = new Node[kids.size()];
      int i = 0;
      for (Map.Entry<Character, BNode<B>> e : kids.entrySet()) {
        keys[i] = e.getKey();
        nodes[i] = e.getValue().freeze(f);
        i++;
      }
      return new Node(keys, nodes, value == null ? null : f.apply(value));
    }
  }
}
