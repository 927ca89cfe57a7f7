package dev.loadstar.routing.internal.gateway;

import dev.loadstar.routing.ClassificationReason;
import dev.loadstar.routing.DesyncMitigationMode;
import dev.loadstar.routing.ListenerConfig;
import dev.loadstar.routing.RequestClassification;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.HostAndPort;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * Validates and classifies each request before it is routed: the method, the header fields (one pass: length,
 * names, values, Host, Transfer-Encoding, Content-Length), the Host, the request target (origin-form normalised by
 * {@link Paths}, absolute-form taken apart) and the body framing; classifies the request as ALB's HTTP Desync
 * Guardian does and applies the listener's {@link DesyncMitigationMode}. One instance per worker: a check runs on
 * the worker's event loop and its results are read before the next request is checked. A compliant request costs one
 * scan of its header fields and of its target and allocates nothing.
 */
final class RequestGuard {

  /** Bits of the RFC 9110 {@code tchar}s among characters 0-63 and 64-127. */
  private static final long TCHAR_LO;
  private static final long TCHAR_HI;

  static {
    long lo = 0;
    long hi = 0;
    String tchar = "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    for (int i = 0; i < tchar.length(); i++) {
      char c = tchar.charAt(i);
      if (c < 64) {
        lo |= 1L << c;
      } else {
        hi |= 1L << (c - 64);
      }
    }
    TCHAR_LO = lo;
    TCHAR_HI = hi;
  }

  private final ListenerConfig config;
  private final StatsCounters stats;
  /**
   * Connections being closed: HTTP/1.x ones after a refusal or an ambiguous request (a request pipelined behind one
   * may be the smuggled tail of the refused one), and any over the connection limit. A request read on one is not
   * served. Weak: a closed connection leaves by itself.
   */
  private final Set<HttpConnection> closing = Collections.newSetFromMap(new WeakHashMap<>());

  /** The normalised path of the last request checked (what rules match). */
  String path;
  /** The request target to forward: origin-form, normalised path and the query as received. */
  String uri;
  /** The authority the request addresses: its absolute-form target's, else its Host's (null for none). */
  HostAndPort authority;
  /** The class of the last request checked. */
  RequestClassification classification;
  /** Why it is not compliant (the first reason of its class), or null. */
  ClassificationReason reason;
  /** Whether the client connection is to be closed after the response (an ambiguous request, defensive mode). */
  boolean closeAfter;
  /** Whether header fields with invalid names must be left out of the forwarded request. */
  boolean dropNames;

  RequestGuard(ListenerConfig config, StatsCounters stats) {
    this.config = config;
    this.stats = stats;
  }

  /**
   * Checks one request: 0 when it may be routed (then {@link #path}, {@link #uri}, {@link #authority} and the
   * classification describe it), a status to refuse it with (400, 405, 501; the connection is then closed), or -1
   * when it came behind a refused request on a connection being closed: it is left unanswered.
   */
  int check(HttpServerRequest req) {
    if (onClosingConnection(req)) {
      return -1;
    }
    int status = checkRequest(req);
    if (status > 0 || closeAfter) {
      closing(req);
    }
    return status;
  }

  /**
   * A request the decoder could not read: counted as severe; true when it is to be answered 400 (and its connection
   * closed), false when it came behind a refused request on a connection being closed.
   */
  boolean undecodable(HttpServerRequest req) {
    if (onClosingConnection(req)) {
      return false;
    }
    stats.classified(RequestClassification.SEVERE);
    closing(req);
    return true;
  }

  private boolean onClosingConnection(HttpServerRequest req) {
    return !closing.isEmpty() && closing.contains(req.connection());
  }

  private void closing(HttpServerRequest req) {
    HttpConnection conn = req.connection();
    if (conn != null && req.version() != HttpVersion.HTTP_2) {
      closing.add(conn);
    }
  }

  /** Marks a connection being closed (refused by the connection limit): requests read on it are not served. */
  void closing(HttpConnection conn) {
    closing.add(conn);
  }

  private int checkRequest(HttpServerRequest req) {
    path = null;
    uri = null;
    authority = null;
    classification = RequestClassification.COMPLIANT;
    reason = null;
    closeAfter = false;
    dropNames = false;
    int status = inspect(req);
    stats.classified(classification);
    if (status != 0) {
      return status;
    }
    DesyncMitigationMode mode = config.desyncMitigationMode();
    if (mode.refuses(classification)) {
      return 400;
    }
    closeAfter = mode.closesAfter(classification) && req.version() != HttpVersion.HTTP_2;
    return 0;
  }

  /** Hands the results for a forwarded request to its {@link Forward}. */
  void applyTo(Forward f) {
    f.uri = uri;
    f.authority = authority;
    f.classification = classification;
    f.classificationReason = reason;
    f.closeAfter = closeAfter;
    if (dropNames) {
      for (String name : new ArrayList<>(f.headers.names())) {
        if (!token(name)) {
          f.headers.remove(name);
        }
      }
    }
  }

  private void flag(ClassificationReason r) {
    if (reason == null || r.classification().compareTo(classification) > 0) {
      reason = r;
      classification = r.classification();
    }
  }

  private int refuse(ClassificationReason r, int status) {
    flag(r);
    return status;
  }

  private int inspect(HttpServerRequest req) {
    HttpMethod method = req.method();
    if (HttpMethod.CONNECT.equals(method) || HttpMethod.TRACE.equals(method)) {
      return 405;
    }
    HttpVersion version = req.version();
    boolean http1 = version != HttpVersion.HTTP_2;
    MultiMap headers = req.headers();
    int maxHeader = config.maxHeaderLength();
    String host = null;
    int hosts = 0;
    String te = null;
    int tes = 0;
    boolean teAllChunked = true;
    String cl = null;
    int cls = 0;
    boolean clDiffer = false;
    for (Map.Entry<String, String> e : headers) {
      String name = e.getKey();
      String value = e.getValue();
      if (name.length() + 2 + value.length() > maxHeader) {
        return 400; // a limit, not a classification
      }
      if (!token(name)) {
        if (!visible(name)) {
          return refuse(ClassificationReason.BAD_HEADER, 400); // RFC 9113 8.2.1: malformed
        }
        dropNames = true; // cannot be written on the target connection either way
        if (!config.dropInvalidHeaderFields()) {
          flag(ClassificationReason.INVALID_HEADER_NAME);
        }
        continue;
      }
      int kind = valueKind(value);
      if (kind == CONTROL) {
        return refuse(ClassificationReason.BAD_HEADER, 400);
      }
      if (kind == OBS_TEXT) {
        flag(ClassificationReason.NON_COMPLIANT_HEADER);
      }
      switch (name.length()) {
        case 4:
          if (name.equalsIgnoreCase("host")) {
            hosts++;
            host = value;
          }
          break;
        case 14:
          if (name.equalsIgnoreCase("content-length")) {
            if (cls++ == 0) {
              cl = value;
            } else if (!cl.trim().equals(value.trim())) {
              clDiffer = true;
            }
          } else if (lookalike(name, "content-length")) {
            flag(ClassificationReason.SUSPICIOUS_HEADER);
          }
          break;
        case 17:
          if (name.equalsIgnoreCase("transfer-encoding")) {
            if (tes++ == 0) {
              te = value;
            }
            if (!isChunked(value)) {
              teAllChunked = false;
            }
          } else if (lookalike(name, "transfer-encoding")) {
            flag(ClassificationReason.SUSPICIOUS_HEADER);
          }
          break;
        default:
          break;
      }
    }
    int status = checkHost(req, http1, version, hosts, host);
    if (status == 0) {
      status = checkTarget(req, method, http1);
    }
    if (status == 0 && http1) {
      status = checkFraming(headers, method, version, tes, te, teAllChunked, cls);
    }
    if (status == 0 && cls > 0) {
      status = checkLength(method, cls, cl, clDiffer);
    }
    return status;
  }

  private int checkHost(HttpServerRequest req, boolean http1, HttpVersion version, int hosts, String host) {
    if (hosts > 1 || hosts == 1 && !validAuthority(host, 0, host.length())) {
      return refuse(ClassificationReason.BAD_HOST, 400);
    }
    authority = req.authority();
    if (hosts == 0 && (http1 ? version == HttpVersion.HTTP_1_1 : authority == null)) {
      return refuse(ClassificationReason.BAD_HOST, 400); // HTTP/1.1 needs a Host, HTTP/2 an authority
    }
    return 0;
  }

  private int checkTarget(HttpServerRequest req, HttpMethod method, boolean http1) {
    String target = req.uri();
    if (target == null || target.isEmpty()) {
      return refuse(ClassificationReason.BAD_URI, 400);
    }
    char first = target.charAt(0);
    if (first == '/') {
      String raw = req.path();
      String query = req.query();
      if (raw == null || query != null && !validQuery(query, 0, query.length())) {
        return refuse(ClassificationReason.BAD_URI, 400);
      }
      String normal = Paths.normalize(raw);
      if (normal == null) {
        return refuse(ClassificationReason.BAD_URI, 400);
      }
      path = normal;
      uri = normal == raw ? target : query == null ? normal : normal + "?" + query;
      return 0;
    }
    if (target.equals("*") && HttpMethod.OPTIONS.equals(method)) {
      path = target;
      uri = target;
      return 0;
    }
    if (http1) {
      return absoluteForm(target);
    }
    return refuse(ClassificationReason.BAD_URI, 400);
  }

  /**
   * An absolute-form target ({@code http://host[:port]/path?query}, RFC 9112 3.2.2): its authority replaces the Host
   * header for routing and forwarding, and it is forwarded in origin-form.
   */
  private int absoluteForm(String target) {
    int scheme = target.regionMatches(true, 0, "http://", 0, 7) ? 7
        : target.regionMatches(true, 0, "https://", 0, 8) ? 8 : -1;
    if (scheme < 0) {
      return refuse(ClassificationReason.BAD_URI, 400);
    }
    int n = target.length();
    int end = scheme;
    while (end < n && target.charAt(end) != '/' && target.charAt(end) != '?') {
      end++;
    }
    if (!validAuthority(target, scheme, end)) {
      return refuse(ClassificationReason.BAD_URI, 400);
    }
    authority = HostAndPort.parseAuthority(target.substring(scheme, end), -1);
    if (authority == null) {
      return refuse(ClassificationReason.BAD_URI, 400);
    }
    int q = target.indexOf('?', end);
    String raw = end == n || target.charAt(end) == '?' ? "/" : target.substring(end, q < 0 ? n : q);
    if (q >= 0 && !validQuery(target, q + 1, n)) {
      return refuse(ClassificationReason.BAD_URI, 400);
    }
    String normal = Paths.normalize(raw);
    if (normal == null) {
      return refuse(ClassificationReason.BAD_URI, 400);
    }
    path = normal;
    uri = q < 0 ? normal : normal + target.substring(q);
    return 0;
  }

  private int checkFraming(MultiMap headers, HttpMethod method, HttpVersion version, int tes, String te,
      boolean teAllChunked, int cls) {
    if (tes == 0) {
      return 0;
    }
    if (version == HttpVersion.HTTP_1_0) {
      return refuse(ClassificationReason.BAD_TRANSFER_ENCODING, 400); // RFC 9112 6.1: faulty framing
    }
    if (!teAllChunked) {
      // a coding the listener does not implement (501, as nginx), or no valid coding list at all (400)
      boolean codings = true;
      for (String v : headers.getAll("transfer-encoding")) {
        codings &= tokenList(v);
      }
      return refuse(ClassificationReason.BAD_TRANSFER_ENCODING, codings ? 501 : 400);
    }
    if (tes > 1) {
      flag(ClassificationReason.MULTIPLE_TRANSFER_ENCODING_CHUNKED);
    }
    if (cls > 0) {
      flag(ClassificationReason.BOTH_TE_CL_PRESENT);
    }
    if (HttpMethod.GET.equals(method) || HttpMethod.HEAD.equals(method)) {
      flag(ClassificationReason.UNDEFINED_TRANSFER_ENCODING_SEMANTICS);
    }
    return 0;
  }

  private int checkLength(HttpMethod method, int cls, String cl, boolean clDiffer) {
    String v = cl.trim();
    if (v.isEmpty() || !digits(v)) {
      return refuse(ClassificationReason.BAD_CONTENT_LENGTH, 400);
    }
    if (clDiffer) {
      return refuse(ClassificationReason.MULTIPLE_CONTENT_LENGTH, 400);
    }
    if (cls > 1) {
      flag(ClassificationReason.DUPLICATE_CONTENT_LENGTH);
    }
    if (HttpMethod.GET.equals(method) || HttpMethod.HEAD.equals(method)) {
      boolean zero = true;
      for (int i = 0; i < v.length(); i++) {
        zero &= v.charAt(i) == '0';
      }
      flag(zero ? ClassificationReason.GET_HEAD_ZERO_CONTENT_LENGTH
          : ClassificationReason.UNDEFINED_CONTENT_LENGTH_SEMANTICS);
    }
    return 0;
  }

  /** Whether the request's target is in absolute-form (its Host header was replaced by the target's authority). */
  static boolean absoluteForm(HttpServerRequest req) {
    String target = req.uri();
    return !target.isEmpty() && target.charAt(0) != '/' && target.charAt(0) != '*';
  }

  // ---- character classes ----------------------------------------------------------------------------------------

  private static final int PLAIN = 0;
  private static final int OBS_TEXT = 1;
  private static final int CONTROL = 2;

  /** Whether a header name is an RFC 9110 token. */
  static boolean token(String name) {
    int n = name.length();
    if (n == 0) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      if (!tchar(name.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  /** Whether a name holds only visible ASCII (no control character, space, DEL or non-ASCII). */
  static boolean visible(String name) {
    for (int i = 0, n = name.length(); i < n; i++) {
      char c = name.charAt(i);
      if (c <= 0x20 || c >= 0x7f) {
        return false;
      }
    }
    return true;
  }

  static boolean tchar(char c) {
    return c < 64 ? (TCHAR_LO & 1L << c) != 0 : c < 128 && (TCHAR_HI & 1L << (c - 64)) != 0;
  }

  /** {@link #CONTROL} for a control character other than tab (NUL, CR, LF, DEL...), {@link #OBS_TEXT}, or plain. */
  static int valueKind(String value) {
    int kind = PLAIN;
    for (int i = 0, n = value.length(); i < n; i++) {
      char c = value.charAt(i);
      if (c < 0x20 && c != '\t' || c == 0x7f) {
        return CONTROL;
      }
      if (c > 0x7f) {
        kind = OBS_TEXT;
      }
    }
    return kind;
  }

  /**
   * Whether a name reads as {@code framing} (lower case, same length) once underscores are taken for hyphens: a
   * {@code Transfer_Encoding} that a CGI-style target maps to the real field.
   */
  static boolean lookalike(String name, String framing) {
    for (int i = 0, n = framing.length(); i < n; i++) {
      char c = name.charAt(i);
      char f = framing.charAt(i);
      if (c != f && !(c == '_' && f == '-') && Character.toLowerCase(c) != f) {
        return false;
      }
    }
    return true;
  }

  /** Whether a Transfer-Encoding value is exactly {@code chunked} (any case, surrounding spaces allowed). */
  static boolean isChunked(String value) {
    int from = 0;
    int to = value.length();
    while (from < to && (value.charAt(from) == ' ' || value.charAt(from) == '\t')) {
      from++;
    }
    while (to > from && (value.charAt(to - 1) == ' ' || value.charAt(to - 1) == '\t')) {
      to--;
    }
    return to - from == 7 && value.regionMatches(true, from, "chunked", 0, 7);
  }

  /** Whether a value is a comma-separated list of tokens (each possibly with parameters we do not look at). */
  private static boolean tokenList(String value) {
    int i = 0;
    int n = value.length();
    boolean any = false;
    while (i < n) {
      while (i < n && (value.charAt(i) == ' ' || value.charAt(i) == '\t')) {
        i++;
      }
      int start = i;
      while (i < n && tchar(value.charAt(i))) {
        i++;
      }
      if (i == start) {
        return false;
      }
      any = true;
      while (i < n && value.charAt(i) != ',') {
        char c = value.charAt(i);
        if (c != ' ' && c != '\t' && c != ';' && c != '=' && c != '"' && !tchar(c)) {
          return false;
        }
        i++;
      }
      i++; // the comma
      if (i == n) {
        return false; // a trailing comma: an empty element
      }
    }
    return any;
  }

  private static boolean digits(String v) {
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return v.length() <= 18;
  }

  /**
   * Whether {@code s[from, to)} is {@code host[:port]}: a host name of unreserved characters (RFC 3986 reg-name
   * without escapes or sub-delimiters) or a bracketed IP literal, and a port of 1-65535.
   */
  static boolean validAuthority(String s, int from, int to) {
    if (from >= to) {
      return false;
    }
    int hostEnd;
    if (s.charAt(from) == '[') {
      int close = s.indexOf(']', from);
      if (close < 0 || close >= to || close == from + 1) {
        return false;
      }
      for (int i = from + 1; i < close; i++) {
        char c = s.charAt(i);
        if (!(Paths.hex(c) >= 0 || c == ':' || c == '.')) {
          return false;
        }
      }
      hostEnd = close + 1;
    } else {
      hostEnd = from;
      while (hostEnd < to && s.charAt(hostEnd) != ':') {
        char c = s.charAt(hostEnd);
        if (!Paths.unreserved(c)) {
          return false;
        }
        hostEnd++;
      }
      if (hostEnd == from) {
        return false;
      }
    }
    if (hostEnd == to) {
      return true;
    }
    if (s.charAt(hostEnd) != ':' || to - hostEnd - 1 < 1 || to - hostEnd - 1 > 5) {
      return false;
    }
    int port = 0;
    for (int i = hostEnd + 1; i < to; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
      port = port * 10 + c - '0';
    }
    return port >= 1 && port <= 65535;
  }

  /** Whether a query holds only visible ASCII characters other than {@code #}. */
  static boolean validQuery(String s, int from, int to) {
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c <= 0x20 || c >= 0x7f || c == '#') {
        return false;
      }
    }
    return true;
  }
}
