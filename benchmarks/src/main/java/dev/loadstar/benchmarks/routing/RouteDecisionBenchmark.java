package dev.loadstar.benchmarks.routing;

import dev.loadstar.routing.Action;
import dev.loadstar.routing.Condition;
import dev.loadstar.routing.RoutingRequest;
import dev.loadstar.routing.Rule;
import dev.loadstar.routing.RuleLimits;
import dev.loadstar.routing.RuleSet;
import dev.loadstar.routing.internal.ReferenceMatcher;
import dev.loadstar.routing.internal.RuleMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One route decision over a host- and path-heavy rule set (exact hosts, wildcard-suffix hosts, path prefixes, some
 * with a method condition): the compiled matcher against the reference evaluator that checks every rule in order.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RouteDecisionBenchmark {

  @Param({"10", "1000", "10000"})
  int rules;

  @Param({"compiled", "reference"})
  String matcher;

  private RuleMatcher impl;
  private RoutingRequest[] requests;
  private int next;

  @Setup
  public void setUp() {
    Random random = new Random(42);
    List<Rule> list = new ArrayList<>();
    for (int i = 0; i < rules; i++) {
      int priority = i + 1;
      switch (i % 5) {
        case 0:
        case 1:
          list.add(Rule.of(priority, Action.forward("g" + i), Condition.hostHeader("svc-" + i + ".example.com")));
          break;
        case 2:
          list.add(Rule.of(priority, Action.forward("g" + i), Condition.hostHeader("*.tenant-" + i + ".example.com")));
          break;
        case 3:
          list.add(Rule.of(priority, Action.forward("g" + i), Condition.pathPattern("/api/svc-" + i + "/*")));
          break;
        default:
          list.add(Rule.of(priority, Action.forward("g" + i), Condition.pathPattern("/static/" + i + "/*"),
              Condition.httpRequestMethod("GET", "HEAD")));
      }
    }
    RuleSet set = RuleSet.builder().limits(RuleLimits.builder().maxRules(Math.max(100, rules)).build())
        .rules(list).defaultAction(Action.forward("default")).build();
    impl = matcher.equals("compiled") ? set::match : new ReferenceMatcher(set.rules(), set.defaultRule());
    requests = new RoutingRequest[1024];
    for (int k = 0; k < requests.length; k++) {
      int i = random.nextInt(rules);
      String host = "www.example.com";
      String path = "/index.html";
      switch (random.nextInt(6)) {
        case 0:
          host = "svc-" + i + ".example.com";
          break;
        case 1:
          host = "app.tenant-" + i + ".example.com";
          break;
        case 2:
          path = "/api/svc-" + i + "/orders/42";
          break;
        case 3:
          path = "/static/" + i + "/app.js";
          break;
        default:
          break; // a miss: the default rule
      }
      requests[k] = RoutingRequest.builder().method("GET").host(host).hostPort(80).listenerPort(80).path(path)
          .build();
    }
  }

  @Benchmark
  public Rule route() {
    return impl.match(requests[next++ & 1023]);
  }
}
