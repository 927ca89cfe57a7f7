package dev.loadstar.routing;

import static dev.loadstar.routing.Condition.pair;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each limit and each malformed pattern gives an error naming the rule, the field and the value. */
class RuleSetValidationTest {

  private static RuleSet.Builder base() {
    return RuleSet.builder().defaultAction(Action.forward("d"));
  }

  private static void fails(Rule rule, String message) {
    assertThatThrownBy(() -> base().rule(rule).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessage(message);
  }

  private static Rule r(Condition... c) {
    return Rule.named("r1", 1, Action.forward("g"), c);
  }

  private static Rule a(Action action) {
    return Rule.named("r1", 1, action, Condition.pathPattern("/x"));
  }

  @Test
  void duplicatePriorityNamesBothRules() {
    assertThatThrownBy(() -> base()
        .rule(Rule.named("images", 10, Action.forward("a"), Condition.pathPattern("/img/*")))
        .rule(Rule.named("videos", 10, Action.forward("b"), Condition.pathPattern("/vid/*")))
        .build())
        .hasMessage("rule \"videos\" priority: 10 (expected: a priority not already used by rule \"images\" "
            + "(PriorityInUse))");
  }

  @Test
  void priorityOutOfRange() {
    fails(Rule.named("r1", 0, Action.forward("g"), Condition.pathPattern("/")),
        "rule \"r1\" priority: 0 (expected: 1-50000)");
    fails(Rule.named("r1", 50_001, Action.forward("g"), Condition.pathPattern("/")),
        "rule \"r1\" priority: 50001 (expected: 1-50000)");
    fails(Rule.named("r1", 5, Action.forward("g")),
        "rule \"r1\" conditions: [] (expected: at least one condition (only the default rule has none))");
  }

  @Test
  void moreThanThreeValuesInOneCondition() {
    fails(r(Condition.pathPattern("/a", "/b", "/c", "/d")),
        "rule \"r1\" path-pattern: [/a, /b, /c, /d] (expected: 1-3 values per condition)");
  }

  @Test
  void moreThanFiveValuesInOneRule() {
    fails(r(Condition.pathPattern("/a", "/b", "/c"), Condition.hostHeader("a.example.com", "b.example.com"),
            Condition.httpRequestMethod("GET")),
        "rule \"r1\" conditions: 6 values (expected: at most 5 values per rule)");
  }

  @Test
  void moreThanFiveWildcardsInOneRule() {
    fails(r(Condition.pathPattern("/*/*/*"), Condition.hostHeader("*.*.example.com"), Condition.httpHeader("X", "?")),
        "rule \"r1\" conditions: 6 wildcards (expected: at most 5 wildcards per rule)");
  }

  @Test
  void patternLongerThan128Characters() {
    String longPath = "/" + "a".repeat(128);
    fails(r(Condition.pathPattern(longPath)),
        "rule \"r1\" path-pattern[0]: \"" + longPath + "\" (expected: 1-128 characters)");
  }

  @Test
  void limitsCanBeRaisedExplicitly() {
    RuleLimits raised = RuleLimits.builder().maxValuesPerCondition(10).maxValuesPerRule(10).maxWildcardsPerRule(10)
        .maxPatternLength(300).maxRules(1000).build();
    RuleSet rules = RuleSet.builder().limits(raised)
        .rule(r(Condition.pathPattern("/a*", "/b*", "/c*", "/d*", "/" + "x".repeat(200))))
        .defaultAction(Action.forward("d")).build();
    assertThat(rules.rules()).hasSize(1);
    assertThatThrownBy(() -> RuleLimits.builder().maxRules(0).build())
        .hasMessage("maxRules: 0 (expected: >= 1)");
  }

  @Test
  void moreThan100RulesByDefault() {
    List<Rule> rules = new ArrayList<>();
    for (int i = 1; i <= 101; i++) {
      rules.add(Rule.of(i, Action.forward("g"), Condition.pathPattern("/p" + i)));
    }
    assertThatThrownBy(() -> base().rules(rules).build())
        .hasMessage("rules: 101 (expected: at most 100 rules besides the default rule; raise RuleLimits.maxRules to "
            + "allow more)");
  }

  @Test
  void malformedHostPatterns() {
    fails(r(Condition.hostHeader("img_1.example.com")),
        "rule \"r1\" host-header[0]: \"img_1.example.com\" (expected: only A-Z a-z 0-9 - . * ?)");
    fails(r(Condition.hostHeader("localhost")),
        "rule \"r1\" host-header[0]: \"localhost\" (expected: at least one '.')");
    fails(r(Condition.hostHeader("example.c0m")),
        "rule \"r1\" host-header[0]: \"example.c0m\" (expected: only letters after the last '.')");
    fails(r(Condition.hostHeader("example.com:99999")),
        "rule \"r1\" host-header[0]: \"example.com:99999\" (expected: a host pattern, optionally followed by :port "
            + "with port 1-65535)");
  }

  @Test
  void malformedPathHeaderMethodQueryAndSourceIp() {
    fails(r(Condition.pathPattern("/a b")),
        "rule \"r1\" path-pattern[0]: \"/a b\" (expected: only A-Z a-z 0-9 _ - . $ / ~ \" ' @ : + & * ?)");
    fails(r(Condition.httpHeader("X Bad", "v")),
        "rule \"r1\" http-header name: \"X Bad\" (expected: an HTTP header name token of 1-40 characters, without "
            + "wildcards)");
    fails(r(Condition.httpHeader("X-Tab", "a\tb")),
        "rule \"r1\" http-header[X-Tab][0]: \"a\tb\" (expected: visible ASCII characters only)");
    fails(r(Condition.httpRequestMethod("get")),
        "rule \"r1\" http-request-method[0]: \"get\" (expected: 1-40 characters of A-Z, - and _ (exact match, no "
            + "wildcards))");
    fails(r(Condition.queryString(pair("", "v"))),
        "rule \"r1\" query-string[0].key: \"\" (expected: a non-empty key, or no key to match any key)");
    fails(r(Condition.sourceIp("10.0.0.*")),
        "rule \"r1\" source-ip[0]: \"10.0.0.*\" (expected: an IPv4 or IPv6 CIDR block such as 10.0.0.0/8 or "
            + "2001:db8::/32, no wildcards)");
    fails(r(Condition.sourceIp("10.0.0.0/33")),
        "rule \"r1\" source-ip[0]: \"10.0.0.0/33\" (expected: an IPv4 or IPv6 CIDR block such as 10.0.0.0/8 or "
            + "2001:db8::/32, no wildcards)");
    fails(r(Condition.sourceIp("255.255.255.255/32")),
        "rule \"r1\" source-ip[0]: \"255.255.255.255/32\" (expected: a CIDR block other than 255.255.255.255/32)");
    fails(r(Condition.listenerPort(0)), "rule \"r1\" listener-port[0]: 0 (expected: 1-65535)");
  }

  @Test
  void twoHostConditionsInOneRule() {
    fails(r(Condition.hostHeader("a.example.com"), Condition.hostHeader("b.example.com")),
        "rule \"r1\" conditions: 2 host-header conditions (expected: at most one host-header condition)");
  }

  @Test
  void forwardLimits() {
    fails(a(Action.weightedForward(Action.group("a", 1), Action.group("b", 1), Action.group("c", 1),
            Action.group("d", 1), Action.group("e", 1), Action.group("f", 1))),
        "rule \"r1\" forward.targetGroups: 6 groups (expected: 1-5 target groups)");
    fails(a(Action.weightedForward(Action.group("a", 1000))),
        "rule \"r1\" forward.targetGroups[0].weight: 1000 (expected: 0-999)");
    fails(a(Action.weightedForward(Action.group("a", 0), Action.group("b", 0))),
        "rule \"r1\" forward.targetGroups: all weights 0 (expected: at least one target group with a weight above 0)");
    fails(a(Action.weightedForward(Duration.ofSeconds(604_801), Action.group("a", 1))),
        "rule \"r1\" forward.stickiness.durationSeconds: 604801 (expected: 1-604800 seconds)");
  }

  @Test
  void redirectRules() {
    fails(a(Action.redirect(303).withProtocol("HTTPS")),
        "rule \"r1\" redirect.statusCode: 303 (expected: HTTP_301 or HTTP_302)");
    fails(a(Action.redirect(301)),
        "rule \"r1\" redirect: #{protocol}://#{host}:#{port}/#{path}?#{query} (expected: a change to at least one of "
            + "protocol, host, port or path)");
    fails(a(Action.redirect(301).withQuery("x=1")),
        "rule \"r1\" redirect: #{protocol}://#{host}:#{port}/#{path}?x=1 (expected: a change to at least one of "
            + "protocol, host, port or path)");
    fails(a(Action.redirect(301).withProtocol("FTP")),
        "rule \"r1\" redirect.protocol: \"FTP\" (expected: HTTP, HTTPS or #{protocol})");
    fails(a(Action.redirect(301).withHost("#{path}.example.com")),
        "rule \"r1\" redirect.host: \"#{path}.example.com\" (expected: only the placeholders #{host})");
    fails(a(Action.redirect(301).withPath("new")),
        "rule \"r1\" redirect.path: \"new\" (expected: a path starting with /)");
    fails(a(Action.redirect(301).withPort("0")), "rule \"r1\" redirect.port: \"0\" (expected: 1-65535 or #{port})");
  }

  @Test
  void fixedResponseRules() {
    fails(a(Action.fixedResponse(302, "text/plain", "x")),
        "rule \"r1\" fixed-response.statusCode: 302 (expected: 2XX, 4XX or 5XX)");
    fails(a(Action.fixedResponse(200, "text/xml", "x")),
        "rule \"r1\" fixed-response.contentType: \"text/xml\" (expected: text/plain, text/css, text/html, "
            + "application/javascript or application/json)");
    fails(a(Action.fixedResponse(200, "text/plain", "x".repeat(1025))),
        "rule \"r1\" fixed-response.messageBody: 1025 characters (expected: at most 1024 characters)");
  }

  @Test
  void defaultActionIsRequiredAndValidated() {
    assertThatThrownBy(() -> RuleSet.builder().build())
        .hasMessage("defaultAction: null (expected: the default rule's action)");
    assertThatThrownBy(() -> RuleSet.of(Action.fixedResponse(100, null, null)))
        .hasMessage("rule \"default\" fixed-response.statusCode: 100 (expected: 2XX, 4XX or 5XX)");
  }
}
