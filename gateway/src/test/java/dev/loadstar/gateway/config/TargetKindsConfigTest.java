package dev.loadstar.gateway.config;

import dev.loadstar.gateway.FunctionRegistry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loadstar.core.FunctionResponse;
import dev.loadstar.core.Target;
import io.vertx.core.Future;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The configuration of target kinds ({@code instance}, {@code ip}, {@code lambda}, {@code alb}), zones, cross-zone load
 * balancing and scaling groups' availability zones: what a valid file becomes, and one test per new kind of error,
 * asserting the exact message.
 */
class TargetKindsConfigTest {

  private static final String LISTENER = """
      listeners:
        - name: web
          port: 8080
          defaultActions:
            - type: forward
              targetGroupName: web
      """;

  private static List<String> errors(String yaml) {
    return errors(yaml, FunctionRegistry.builtIn());
  }

  private static List<String> errors(String yaml, FunctionRegistry functions) {
    GatewayConfig.Result r = GatewayConfig.validate(yaml, "gw.yaml", false, Map.<String, String>of()::get, functions);
    return r.errors().stream().map(ConfigError::toString).toList();
  }

  private static GatewayConfig valid(String yaml) {
    GatewayConfig.Result r = GatewayConfig.validate(yaml, "gw.yaml", false, Map.<String, String>of()::get);
    assertThat(r.errors()).isEmpty();
    return r.config();
  }

  @Test
  void everyKindIsReadWithItsAlbTypeOrInferredFromItsFields() {
    GatewayConfig c = valid("""
        zone: a
        listeners:
          - name: web
            port: 8080
            zone: b
            defaultActions: [{type: forward, targetGroupName: web}]
          - name: edge
            protocol: TCP
            port: 9000
            defaultActions: [{type: forward, targetGroupName: front}]
        targetGroups:
          - name: web
            attributes:
              load_balancing.cross_zone.enabled: "false"
            targets:
              - {id: i-1, host: 127.0.0.1, port: 8081, zone: a}
              - {id: 10.0.0.2, type: ip, host: 10.0.0.2, port: 8082, zone: b}
              - {id: fn, function: echo, weight: 3}
              - {id: fn-checked, type: lambda, function: hello, healthCheckEnabled: true}
          - name: front
            targets:
              - {id: to-web, type: alb, listener: web}
              - {id: to-group, targetGroup: web, zone: c}
        """);
    assertThat(c.zone()).isEqualTo("a");
    assertThat(c.listeners().get(0).zone()).isEqualTo("b");
    assertThat(c.listeners().get(0).httpConfig().localZone()).isEqualTo("b");
    assertThat(c.listeners().get(0).httpConfig().name()).isEqualTo("web");
    assertThat(c.listeners().get(1).zone()).isEqualTo("a");
    TargetGroupSpec web = c.targetGroups().get(0);
    assertThat(web.config().crossZoneEnabled()).isFalse();
    assertThat(web.targets()).extracting(TargetSpec::kind).containsExactly(Target.Kind.INSTANCE, Target.Kind.IP,
        Target.Kind.FUNCTION, Target.Kind.FUNCTION);
    assertThat(web.targets().get(0).target().zone()).isEqualTo("a");
    assertThat(web.targets().get(2).function()).isEqualTo("echo");
    assertThat(web.targets().get(2).weight()).isEqualTo(3);
    Target fn = web.targets().get(2).build(FunctionRegistry.builtIn(), n -> null, n -> null);
    assertThat(fn.healthCheckEnabled()).as("ALB's default for Lambda targets: checks off").isFalse();
    Target checked = web.targets().get(3).build(FunctionRegistry.builtIn(), n -> null, n -> null);
    assertThat(checked.healthCheckEnabled()).isTrue();
    TargetGroupSpec front = c.targetGroups().get(1);
    assertThat(front.targets()).extracting(TargetSpec::kind).containsExactly(Target.Kind.BALANCER,
        Target.Kind.BALANCER);
    assertThat(front.targets().get(0).listener()).isEqualTo("web");
    assertThat(front.targets().get(1).targetGroup()).isEqualTo("web");
    assertThat(front.targets().get(1).zone()).isEqualTo("c");
  }

  @Test
  void crossZoneDefaultsToOnAsAlbsLoadBalancerLevelSetting() {
    GatewayConfig c = valid(LISTENER + """
        targetGroups:
          - name: web
          - name: other
            attributes: {load_balancing.cross_zone.enabled: use_load_balancer_configuration}
        """);
    assertThat(c.targetGroups()).allMatch(g -> g.config().crossZoneEnabled());
    assertThat(c.zone()).isNull();
    assertThat(c.listeners().get(0).zone()).isNull();
  }

  @Test
  void crossZoneTakesAlbsValuesOnly() {
    assertThat(errors(LISTENER + """
        targetGroups:
          - name: web
            attributes:
              load_balancing.cross_zone.enabled: flase
        """)).containsExactly("gw.yaml:10:42: targetGroups[0].attributes.load_balancing.cross_zone.enabled: \"flase\" "
        + "(expected: one of true, false, use_load_balancer_configuration; did you mean \"false\"?)");
  }

  @Test
  void unknownFunctionNamesTheRegisteredOnesWithDidYouMean() {
    assertThat(errors(LISTENER + """
        targetGroups:
          - name: web
            targets:
              - {id: fn, function: ecko}
        """)).containsExactly("gw.yaml:10:28: targetGroups[0].targets[0].function: \"ecko\" (expected: a function "
        + "of the gateway (echo, hello); did you mean \"echo\"?)");
  }

  @Test
  void anApplicationsRegisteredFunctionIsAccepted() {
    FunctionRegistry functions = FunctionRegistry.builder()
        .register("orders", r -> Future.succeededFuture(FunctionResponse.ok("orders"))).build();
    String yaml = LISTENER + """
        targetGroups:
          - name: web
            targets:
              - {id: fn, type: lambda, function: orders}
        """;
    assertThat(errors(yaml, functions)).isEmpty();
    assertThat(errors(yaml)).containsExactly("gw.yaml:10:42: targetGroups[0].targets[0].function: \"orders\" "
        + "(expected: a function of the gateway (echo, hello))");
  }

  @Test
  void aLambdaTargetNeedsAFunction() {
    assertThat(errors(LISTENER + """
        targetGroups:
          - name: web
            targets:
              - {id: fn, type: lambda}
        """)).containsExactly("gw.yaml:10:9: targetGroups[0].targets[0].function: missing (expected: a function of "
        + "the gateway (echo, hello))");
  }

  @Test
  void fieldsOfAnotherKindAreErrors() {
    assertThat(errors(LISTENER + """
        targetGroups:
          - name: web
            targets:
              - {id: fn, function: echo, host: 127.0.0.1, port: 8081}
              - {id: i-1, type: instance, host: 127.0.0.1, port: 8081, listener: web}
              - {id: alb, type: alb, targetGroup: other, function: echo}
          - name: other
        """)).containsExactly(
        "gw.yaml:10:40: targetGroups[0].targets[0].host: \"127.0.0.1\" (expected: no host on a lambda target, which "
            + "is called in process)",
        "gw.yaml:10:57: targetGroups[0].targets[0].port: 8081 (expected: no port on a lambda target, which is "
            + "called in process)",
        "gw.yaml:11:74: targetGroups[0].targets[1].listener: \"web\" (expected: no listener on an instance target; "
            + "set type: lambda or alb and leave out host and port)",
        "gw.yaml:12:60: targetGroups[0].targets[2].function: \"echo\" (expected: no function on an alb target, "
            + "which hands requests to its listener or target group)");
  }

  @Test
  void aTargetTypeMustBeOneOfAlbs() {
    assertThat(errors(LISTENER + """
        targetGroups:
          - name: web
            targets:
              - {id: x, type: lamda, function: echo}
        """)).containsExactly("gw.yaml:10:23: targetGroups[0].targets[0].type: \"lamda\" (expected: one of instance, "
        + "ip, lambda, alb, function, balancer; did you mean \"lambda\"?)");
  }

  @Test
  void anAlbTargetNamesExactlyOneListenerOrTargetGroup() {
    assertThat(errors(LISTENER + """
        targetGroups:
          - name: web
            targets:
              - {id: both, listener: web, targetGroup: other}
              - {id: neither, type: alb}
          - name: other
        """)).containsExactly(
        "gw.yaml:10:48: targetGroups[0].targets[0].targetGroup: \"other\" (expected: either listener or "
            + "targetGroup, not both)",
        "gw.yaml:11:9: targetGroups[0].targets[1].listener: missing (expected: listener or targetGroup: the "
            + "listener or target group this alb target hands requests to)");
  }

  @Test
  void anAlbTargetMustNameADefinedListenerOrTargetGroup() {
    assertThat(errors(LISTENER + """
        targetGroups:
          - name: web
          - name: front
            targets:
              - {id: a, listener: wbe}
              - {id: b, targetGroup: wbe}
        """)).containsExactly(
        "gw.yaml:11:27: targetGroups[1].targets[0].listener: \"wbe\" (expected: the name of a listener defined under "
            + "listeners (web); did you mean \"web\"?)",
        "gw.yaml:12:30: targetGroups[1].targets[1].targetGroup: \"wbe\" (expected: the name of a target group "
            + "defined under targetGroups (web, front); did you mean \"web\"?)");
  }

  @Test
  void aLoopThroughAListenerIsRefusedWithTheWholeCycleNamed() {
    assertThat(errors("""
        listeners:
          - name: edge
            port: 8080
            defaultActions: [{type: forward, targetGroupName: web}]
        targetGroups:
          - name: web
            targets:
              - {id: i-1, host: 127.0.0.1, port: 8081}
              - {id: back, type: alb, listener: edge}
        """)).containsExactly("gw.yaml:9:41: targetGroups[0].targets[1].listener: \"edge\" (expected: no loop; "
        + "target group web -> listener edge -> target group web)");
  }

  @Test
  void aLoopOfTargetGroupsIsReportedOnceAtItsFirstEdge() {
    assertThat(errors(LISTENER + """
        targetGroups:
          - name: web
            targets:
              - {id: to-b, targetGroup: b}
          - name: b
            targets:
              - {id: to-c, targetGroup: c}
          - name: c
            targets:
              - {id: back, targetGroup: web}
          - name: self
            targets:
              - {id: me, targetGroup: self}
        """)).containsExactly(
        "gw.yaml:10:33: targetGroups[0].targets[0].targetGroup: \"b\" (expected: no loop; target group web -> b -> "
            + "c -> web)",
        "gw.yaml:19:31: targetGroups[3].targets[0].targetGroup: \"self\" (expected: no loop; target group self -> "
            + "self)");
  }

  @Test
  void aLoopThroughATcpListenerAndAWeightedForwardIsFound() {
    assertThat(errors("""
        listeners:
          - name: web
            port: 8080
            defaultActions:
              - type: forward
                forwardConfig:
                  targetGroups: [{targetGroupName: app, weight: 1}, {targetGroupName: tcp-front, weight: 1}]
          - name: raw
            protocol: TCP
            port: 9000
            defaultActions: [{type: forward, targetGroupName: app}]
        targetGroups:
          - name: app
          - name: tcp-front
            targets:
              - {id: to-raw, listener: raw}
          - name: into-web
            targets:
              - {id: to-web, listener: web}
        """)).as("tcp-front -> raw -> app: no loop; into-web is not forwarded to").isEmpty();
  }

  @Test
  void healthChecksOfInstanceTargetsCannotBeTurnedOffNorBalancerTargetsCheckedAsAlb() {
    assertThat(errors(LISTENER + """
        targetGroups:
          - name: web
            targets:
              - {id: i-1, host: 127.0.0.1, port: 8081, healthCheckEnabled: false}
              - {id: alb, targetGroup: other, healthCheckEnabled: true}
          - name: other
        """)).containsExactly(
        "gw.yaml:10:68: targetGroups[0].targets[0].healthCheckEnabled: false (expected: true for instance targets "
            + "(as ALB, health checks of instance and ip targets cannot be turned off))",
        "gw.yaml:11:59: targetGroups[0].targets[1].healthCheckEnabled: true (expected: false for balancer targets "
            + "(watched passively; the nested balancer checks its own targets))");
  }

  @Test
  void zonesMustBeNamed() {
    assertThat(errors("""
        zone: " "
        listeners:
          - name: web
            port: 8080
            zone: ""
            defaultActions: [{type: forward, targetGroupName: web}]
        targetGroups:
          - name: web
            targets:
              - {id: i-1, host: 127.0.0.1, port: 8081, zone: " "}
        """)).containsExactly(
        "gw.yaml:1:7: zone: \" \" (expected: an availability zone name, e.g. eu-west-1a)",
        "gw.yaml:5:11: listeners[0].zone: \"\" (expected: an availability zone name, e.g. eu-west-1a)",
        "gw.yaml:10:54: targetGroups[0].targets[0].zone: \" \" (expected: a non-blank string)");
  }

  @Test
  void listenerNamesAreThoseLoopErrorsCanShow() {
    assertThat(errors("""
        listeners:
          - name: my web
            port: 8080
            defaultActions: [{type: fixed-response, fixedResponseConfig: {statusCode: 200}}]
        """)).containsExactly("gw.yaml:2:11: listeners[0].name: \"my web\" (expected: 1-128 letters, digits, -, _, . "
        + "and :)");
  }

  @Test
  void availabilityZonesAreSpreadOverByZoneCapableProviders() {
    GatewayConfig c = valid("""
        listeners:
          - name: web
            port: 8080
            defaultActions: [{type: fixed-response, fixedResponseConfig: {statusCode: 200}}]
        scalingGroups:
          - name: asg
            launchTemplate: {provider: in-process}
            availabilityZones: [a, b, c]
            minSize: 0
            maxSize: 6
        """);
    assertThat(c.scalingGroups().get(0).availabilityZones()).containsExactly("a", "b", "c");
  }

  @Test
  void availabilityZonesMustBeUniqueNamesOfAZonedProvider() {
    assertThat(errors("""
        listeners:
          - name: web
            port: 8080
            defaultActions: [{type: fixed-response, fixedResponseConfig: {statusCode: 200}}]
        scalingGroups:
          - name: asg
            launchTemplate: {provider: in-process}
            availabilityZones: [a, "", a]
            minSize: 0
            maxSize: 6
          - name: k8s
            launchTemplate: {provider: kubernetes}
            availabilityZones: [a]
            minSize: 0
            maxSize: 6
        """)).containsExactly(
        "gw.yaml:8:28: scalingGroups[0].availabilityZones[1]: \"\" (expected: an availability zone name, e.g. "
            + "eu-west-1a)",
        "gw.yaml:8:32: scalingGroups[0].availabilityZones[2]: \"a\" (expected: each zone once)",
        "gw.yaml:13:24: scalingGroups[1].availabilityZones: a list (expected: no availabilityZones with provider "
            + "kubernetes: only in-process and process launch into zones)");
  }

  @Test
  void unknownTargetFieldListsTheFieldsOfEveryKind() {
    assertThat(errors(LISTENER + """
        targetGroups:
          - name: web
            targets:
              - {id: fn, function: echo, zones: a}
        """)).containsExactly("gw.yaml:10:34: targetGroups[0].targets[0].zones: unknown field (expected: one of id, "
        + "type, host, port, function, listener, targetGroup, weight, zone, metadata, healthCheckEnabled; did you "
        + "mean \"zone\"?)");
  }
}
