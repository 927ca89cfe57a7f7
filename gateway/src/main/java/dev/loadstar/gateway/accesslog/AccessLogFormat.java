package dev.loadstar.gateway.accesslog;

import dev.loadstar.routing.RequestRecord;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * ALB's access log entry, field for field and in ALB's order: {@code type time elb client:port target:port
 * request_processing_time target_processing_time response_processing_time elb_status_code target_status_code
 * received_bytes sent_bytes "request" "user_agent" ssl_cipher ssl_protocol target_group "trace_id" "domain_name"
 * "chosen_cert" matched_rule_priority request_creation_time "actions_executed" "redirect_url" "error_reason"
 * "target:port_list" "target_status_code_list" "classification" "classification_reason" conn_trace_id}, with
 * {@code -} where a field does not apply. Differences from ALB (documented in docs/configuration.md): {@code elb}
 * is the listener's name and {@code target_group} the group's name (no ARNs); the target lists hold every attempt.
 */
public final class AccessLogFormat {

  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'")
      .withZone(ZoneOffset.UTC);
  /** ALB truncates the user agent at 8 KB. */
  static final int MAX_USER_AGENT = 8 * 1024;

  private AccessLogFormat() {
  }

  /** The entry of one request, without a line end. */
  public static String format(RequestRecord r) {
    StringBuilder b = new StringBuilder(512);
    format(r, b);
    return b.toString();
  }

  /** Appends the entry of one request to {@code b}, without a line end. */
  public static void format(RequestRecord r, StringBuilder b) {
    b.append(word(r.type())).append(' ');
    time(b, r.time()).append(' ');
    b.append(word(r.listener())).append(' ');
    b.append(r.clientIp() == null ? "-" : word(r.clientIp()) + ":" + r.clientPort()).append(' ');
    b.append(address(r.target())).append(' ');
    seconds(b, r.requestProcessingNanos()).append(' ');
    seconds(b, r.targetProcessingNanos()).append(' ');
    seconds(b, r.responseProcessingNanos()).append(' ');
    status(b, r.statusCode()).append(' ');
    status(b, r.targetStatusCode()).append(' ');
    b.append(r.receivedBytes()).append(' ');
    b.append(r.sentBytes()).append(' ');
    b.append('"').append(r.method() == null ? "-" : escape(r.method())).append(' ')
        .append(r.url() == null ? "-" : escape(r.url())).append(' ')
        .append(r.protocolVersion() == null ? "-" : escape(r.protocolVersion())).append("\" ");
    String ua = r.userAgent();
    if (ua != null && ua.length() > MAX_USER_AGENT) {
      ua = ua.substring(0, MAX_USER_AGENT);
    }
    quoted(b, ua).append(' ');
    b.append(word(r.sslCipher())).append(' ');
    b.append(word(r.sslProtocol())).append(' ');
    b.append(word(r.targetGroup())).append(' ');
    quoted(b, r.traceId()).append(' ');
    quoted(b, r.domainName()).append(' ');
    quoted(b, r.chosenCertificate()).append(' ');
    b.append(r.matchedRulePriority() < 0 ? "-" : Integer.toString(r.matchedRulePriority())).append(' ');
    time(b, r.requestCreationTime()).append(' ');
    List<String> actions = r.actionsExecuted();
    quoted(b, actions == null || actions.isEmpty() ? null : String.join(",", actions)).append(' ');
    quoted(b, r.redirectUrl()).append(' ');
    quoted(b, r.errorReason()).append(' ');
    List<String> targets = r.targets();
    if (targets == null || targets.isEmpty()) {
      b.append("\"-\" ");
    } else {
      b.append('"');
      for (int i = 0; i < targets.size(); i++) {
        b.append(i == 0 ? "" : " ").append(address(targets.get(i)));
      }
      b.append("\" ");
    }
    List<Integer> codes = r.targetStatusCodes();
    if (codes == null || codes.isEmpty()) {
      b.append("\"-\" ");
    } else {
      b.append('"');
      for (int i = 0; i < codes.size(); i++) {
        status(b.append(i == 0 ? "" : " "), codes.get(i));
      }
      b.append("\" ");
    }
    String classification = r.classification();
    quoted(b, "Compliant".equals(classification) ? null : classification).append(' ');
    quoted(b, r.classificationReason()).append(' ');
    String tid = r.connectionTraceId();
    b.append(tid == null ? "-" : tid.startsWith("TID_") ? word(tid) : "TID_" + word(tid));
  }

  /** An {@code ip:port} address; {@code -} for none and for targets without one (function and balancer targets). */
  private static String address(String a) {
    if (a == null || a.isEmpty() || a.startsWith("function:") || a.indexOf(' ') >= 0) {
      return "-";
    }
    return word(a);
  }

  private static StringBuilder time(StringBuilder b, Instant t) {
    return b.append(t == null ? "-" : TIME.format(t));
  }

  /** Seconds with millisecond precision ({@code 0.001}), or {@code -1}. */
  private static StringBuilder seconds(StringBuilder b, long nanos) {
    if (nanos < 0) {
      return b.append("-1");
    }
    long ms = (nanos + 500_000) / 1_000_000;
    b.append(ms / 1000).append('.');
    long frac = ms % 1000;
    if (frac < 100) {
      b.append('0');
    }
    if (frac < 10) {
      b.append('0');
    }
    return b.append(frac);
  }

  private static StringBuilder status(StringBuilder b, int code) {
    return code <= 0 ? b.append('-') : b.append(code);
  }

  /** An unquoted field: {@code -} when absent; anything that would split it (space, quote, control) replaced. */
  private static String word(String s) {
    if (s == null || s.isEmpty()) {
      return "-";
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c <= ' ' || c == '"' || c == 0x7f) {
        StringBuilder b = new StringBuilder(s.length());
        for (int j = 0; j < s.length(); j++) {
          char d = s.charAt(j);
          b.append(d <= ' ' || d == '"' || d == 0x7f ? '_' : d);
        }
        return b.toString();
      }
    }
    return s;
  }

  private static StringBuilder quoted(StringBuilder b, String s) {
    return b.append('"').append(s == null || s.isEmpty() ? "-" : escape(s)).append('"');
  }

  /** Inside quotes: {@code "} and {@code \} escaped with a backslash, control characters as {@code \xHH}. */
  static String escape(String s) {
    int i = 0;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c < ' ' || c == '"' || c == '\\' || c == 0x7f) {
        break;
      }
      i++;
    }
    if (i == s.length()) {
      return s;
    }
    StringBuilder b = new StringBuilder(s.length() + 8).append(s, 0, i);
    for (; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < ' ' || c == 0x7f) {
        b.append("\\x").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 0xf, 16));
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }
}
