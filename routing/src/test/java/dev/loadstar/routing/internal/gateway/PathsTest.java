package dev.loadstar.routing.internal.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The path normaliser: examples, refusals, and its properties on random paths against a reference model. */
class PathsTest {

  @ParameterizedTest
  @CsvSource({
      "/%61dmin, /admin",
      "//admin, /admin",
      "/./admin, /admin",
      "/x/../admin, /admin",
      "/%2e/admin, /admin",
      "/a/%2E%2e/admin/x/.., /admin/",
      "/a/%2e%2e/b, /b",
      "/a%2fb, /a%2Fb",
      "/%7euser/, /~user/",
      "/a%c3%a9, /a%C3%A9",
      "/a%20b, /a%20b",
      "/a//, /a/",
      "/a/., /a/",
      "/a/.., /",
      "/., /",
      "/a///b////c, /a/b/c",
      "/a/b/./../c/%41%5a%30%2D%2E%5F%7E, /a/c/AZ0-._~",
  })
  void normalisesAsRfc3986(String in, String out) {
    assertThat(Paths.normalize(in)).isEqualTo(out);
  }

  @ParameterizedTest
  @ValueSource(strings = {"/", "/a/b", "/.well-known/x", "/a.b/..c/c..", "/a%2Fb", "/a/b/", "/x?"})
  void normalPathIsReturnedAsIs(String path) {
    assertThat(Paths.normalize(path)).isSameAs(path);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "admin", "\\admin", "/\\admin", "/a\\b", "/..", "/../x", "/a/../../x", "/%2e%2e/x",
      "/a%00b", "/a%zz", "/a%4", "/a%", "/a%4/", "/a b", "/a\tb", "/a\u0001", "/a\u007f", "/a#b", "/\u00e9",
      "*", "http://a/b"})
  void refusesWhatCannotBeNormalisedSafely(String path) {
    assertThat(Paths.normalize(path)).isNull();
  }

  // ---- properties -------------------------------------------------------------------------------------------------

  private static final String ALPHABET = "/./.%%2eEfF0aA~-_:;@!$'()*+,=%2F%2e%41%7e%00%zz\\ #?b";

  @Test
  void propertiesHoldOnRandomPaths() {
    long seed = System.nanoTime();
    Random r = new Random(seed);
    for (int i = 0; i < 50_000; i++) {
      StringBuilder b = new StringBuilder("/");
      int len = r.nextInt(24);
      for (int j = 0; j < len; j++) {
        if (r.nextInt(4) == 0) {
          String[] chunks = {"/", ".", "..", "%2e", "%2E", "%2f", "%41", "%7e", "%c3", "%00", "%g1", "%", "//"};
          b.append(chunks[r.nextInt(chunks.length)]);
        } else {
          b.append(ALPHABET.charAt(r.nextInt(ALPHABET.length())));
        }
      }
      String in = b.toString();
      assertThat(check(in)).as("seed %d, input %s", seed, in).isNull();
    }
  }

  /**
   * Checks the normaliser's properties on one input; null when they hold, else what failed. Shared with the Jazzer
   * fuzz test of the same properties.
   */
  static String check(String in) {
    String out = Paths.normalize(in);
    String expected = reference(in);
    if (out == null || expected == null) {
      return out == expected ? null : "normalize=" + out + " reference=" + expected;
    }
    if (!out.equals(expected)) {
      return "normalize=" + out + " reference=" + expected;
    }
    if (Paths.normalize(out) != out) {
      return "not idempotent (or re-normalised a normal path): " + out + " -> " + Paths.normalize(out);
    }
    if (!out.startsWith("/") || out.contains("//")) {
      return "empty segment in " + out;
    }
    for (String seg : out.split("/")) {
      if (seg.equals(".") || seg.equals("..")) {
        return "dot segment in " + out;
      }
    }
    for (int i = out.indexOf('%'); i >= 0; i = out.indexOf('%', i + 1)) {
      String hex = out.substring(i + 1, i + 3);
      int v = Integer.parseInt(hex, 16);
      if (!hex.equals(hex.toUpperCase()) || Paths.unreserved(v) || v == 0) {
        return "escape " + hex + " left in " + out;
      }
    }
    return null;
  }

  /**
   * A reference model written differently: decode the unreserved escapes over the whole string (uppercase the others),
   * split on slashes, then remove dot segments with a stack; refuse what the normaliser must refuse.
   */
  static String reference(String in) {
    if (in.isEmpty() || in.charAt(0) != '/') {
      return null;
    }
    StringBuilder d = new StringBuilder();
    for (int i = 0; i < in.length(); i++) {
      char c = in.charAt(i);
      if (c <= ' ' || c >= 0x7f || c == '\\' || c == '#') {
        return null;
      }
      if (c != '%') {
        d.append(c);
        continue;
      }
      if (i + 2 >= in.length() || Character.digit(in.charAt(i + 1), 16) < 0
          || Character.digit(in.charAt(i + 2), 16) < 0) {
        return null;
      }
      int v = Integer.parseInt(in.substring(i + 1, i + 3), 16);
      if (v == 0) {
        return null;
      }
      boolean unreserved = Character.isLetterOrDigit(v) && v < 128 || "-._~".indexOf(v) >= 0;
      d.append(unreserved ? String.valueOf((char) v) : in.substring(i, i + 3).toUpperCase());
      i += 2;
    }
    String[] segs = d.substring(1).split("/", -1);
    Deque<String> stack = new ArrayDeque<>();
    for (String s : segs) {
      if (s.equals("..")) {
        if (stack.isEmpty()) {
          return null;
        }
        stack.removeLast();
      } else if (!s.isEmpty() && !s.equals(".")) {
        stack.addLast(s);
      }
    }
    String last = segs[segs.length - 1];
    boolean trailing = last.isEmpty() || last.equals(".") || last.equals("..");
    String joined = "/" + String.join("/", stack);
    return trailing && !stack.isEmpty() ? joined + "/" : joined;
  }
}
