package dev.loadstar.gateway.internal.config;

import dev.loadstar.healthcheck.HealthCheck;
import dev.loadstar.healthcheck.OutlierDetection;
import java.util.List;

/** Binds a target group's {@code healthCheck} and {@code outlierDetection}. */
final class HealthCheckBinder {

  private final Scope s;
  private final Context ctx;

  HealthCheckBinder(Scope s) {
    this.s = s;
    this.ctx = s.ctx();
  }

  /** ALB's defaults; for a gRPC group ({@code protocolVersion: GRPC}) a gRPC check, as ALB checks such groups. */
  static HealthCheck defaults(boolean grpcGroup) {
    return grpcGroup ? HealthCheck.builder().protocol(HealthCheck.Protocol.GRPC).build() : HealthCheck.defaults();
  }

  /** The {@code healthCheck} object; {@code protocol} defaults to {@code GRPC} in a gRPC group. */
  HealthCheck healthCheck(Obj hc, boolean grpcGroup) {
    Build<HealthCheck.Builder, HealthCheck> p = new Build<>(ctx, hc.path(), hc.node(),
        grpcGroup ? () -> HealthCheck.builder().protocol(HealthCheck.Protocol.GRPC) : HealthCheck::builder,
        HealthCheck.Builder::build)
        .word("embedded(true)", "embedded: true");
    p.set("HealthCheckProtocol", hc.choice("protocol", List.of("HTTP", "HTTPS", "TCP", "GRPC")),
        (b, v) -> b.protocol(HealthCheck.Protocol.valueOf(v)));
    Node portNode = hc.raw("port");
    Val<Object> port = new Val<>(hc.path("port"), portNode, null, false);
    if (portNode != null && portNode.kind() != Node.Kind.INVALID) {
      if (portNode.kind() == Node.Kind.INTEGER) {
        port = new Val<>(port.path(), portNode, portNode.value(), false);
      } else if (portNode.kind() == Node.Kind.STRING && portNode.value().equals(HealthCheck.TRAFFIC_PORT)) {
        port = new Val<>(port.path(), portNode, HealthCheck.TRAFFIC_PORT, false);
      } else if (portNode.kind() == Node.Kind.STRING && ((String) portNode.value()).matches("[0-9]{1,9}")) {
        port = new Val<>(port.path(), portNode, Long.parseLong((String) portNode.value()), false);
      } else {
        ctx.error(portNode, port.path(), portNode.render() + " (expected: traffic-port or 1-65535)");
        port = new Val<>(port.path(), portNode, null, true);
      }
    }
    p.set("HealthCheckPort", port, (b, v) -> {
      if (v instanceof Long l) {
        b.port(Values.clamp(l));
      } else {
        b.trafficPort();
      }
    });
    p.set("HealthCheckPath", hc.string("path"), HealthCheck.Builder::path);
    p.set("HealthCheckIntervalSeconds", hc.number("intervalSeconds", "a number of seconds"),
        (b, v) -> b.interval(Values.seconds(v)));
    p.set("HealthCheckTimeoutSeconds", hc.number("timeoutSeconds", "a number of seconds"),
        (b, v) -> b.timeout(Values.seconds(v)));
    p.set("HealthyThresholdCount", hc.integer("healthyThresholdCount", "a whole number 2-10"),
        (b, v) -> b.healthyThresholdCount(Values.clamp(v)));
    p.set("UnhealthyThresholdCount", hc.integer("unhealthyThresholdCount", "a whole number 2-10"),
        (b, v) -> b.unhealthyThresholdCount(Values.clamp(v)));
    Obj matcher = hc.object("matcher");
    if (matcher != null) {
      p.set("Matcher.HttpCode", matcher.string("httpCode"), HealthCheck.Builder::matcher);
      p.set("Matcher.GrpcCode", matcher.string("grpcCode"), HealthCheck.Builder::grpcCode);
      matcher.rejectUnknown();
    }
    p.set("embedded", hc.bool("embedded"), HealthCheck.Builder::embedded);
    p.set("reuseConnections", hc.bool("reuseConnections"), HealthCheck.Builder::reuseConnections);
    p.set("maxConcurrentChecks", hc.integer("maxConcurrentChecks", "a whole number 1-100000"),
        (b, v) -> b.maxConcurrentChecks(Values.clamp(v)));
    hc.raw("enabled");
    hc.rejectUnknown();
    return p.build();
  }

  OutlierDetection outlierDetection(Obj o) {
    if (o == null) {
      return OutlierDetection.defaults();
    }
    Val<Boolean> enabled = o.bool("enabled");
    Build<OutlierDetection.Builder, OutlierDetection> p = new Build<>(ctx, o.path(), o.node(),
        OutlierDetection::builder, OutlierDetection.Builder::build);
    p.set("consecutiveFailures", o.integer("consecutiveFailures", "a whole number 1-1000"),
        (b, v) -> b.consecutiveFailures(Values.clamp(v)));
    p.set("baseEjectionTime", o.number("baseEjectionTimeSeconds", "a number of seconds"),
        (b, v) -> b.baseEjectionTime(Values.seconds(v)));
    p.set("maxEjectionTime", o.number("maxEjectionTimeSeconds", "a number of seconds"),
        (b, v) -> b.maxEjectionTime(Values.seconds(v)));
    p.set("maxEjectionPercent", o.integer("maxEjectionPercent", "a whole number 0-100"),
        (b, v) -> b.maxEjectionPercent(Values.clamp(v)));
    o.rejectUnknown();
    OutlierDetection built = p.build();
    if (built == null) {
      return null;
    }
    return enabled.or(true) ? built : OutlierDetection.disabled();
  }
}
