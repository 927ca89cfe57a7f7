package dev.loadstar.benchmarks.peers;

import com.linecorp.armeria.client.ClientRequestContext;
import com.linecorp.armeria.client.Endpoint;
import com.linecorp.armeria.client.endpoint.EndpointGroup;
import com.linecorp.armeria.client.endpoint.EndpointSelectionStrategy;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import dev.loadstar.core.BalancingAlgorithm;
import dev.loadstar.core.RegisteredTarget;
import dev.loadstar.core.RequestOutcome;
import dev.loadstar.core.SelectionContext;
import dev.loadstar.core.Target;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetGroupConfig;
import io.smallrye.stork.api.LoadBalancer;
import io.smallrye.stork.loadbalancer.poweroftwochoices.PowerOfTwoChoicesLoadBalancer;
import io.smallrye.stork.loadbalancer.requests.InflightRequestCollector;
import io.smallrye.stork.loadbalancer.requests.LeastRequestsLoadBalancer;
import io.vertx.core.Vertx;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.springframework.cloud.client.DefaultServiceInstance;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.loadbalancer.core.RandomLoadBalancer;
import org.springframework.cloud.loadbalancer.core.ReactorServiceInstanceLoadBalancer;
import org.springframework.cloud.loadbalancer.core.RoundRobinLoadBalancer;
import org.springframework.cloud.loadbalancer.support.ServiceInstanceListSuppliers;

/**
 * The cost of choosing one endpoint out of N with Loadstar and with the libraries its users would otherwise pick:
 * Spring Cloud LoadBalancer, SmallRye Stork and Armeria. Selection only: no request is sent and no in-flight counter is
 * moved by the measured call.
 *
 * <ul>
 *   <li>{@code loadstar_*}: {@code TargetGroup.select(SelectionContext.NONE)} over a group built as in
 *       {@code SelectionBenchmark}.</li>
 *   <li>{@code spring_*}: {@code RoundRobinLoadBalancer} / {@code RandomLoadBalancer} over a static
 *       {@code ServiceInstanceListSupplier} ({@code ServiceInstanceListSuppliers.from}); {@code choose()} returns a
 *       {@code Mono}, so the measured call is {@code choose().block()}: what a blocking caller pays, reactive
 *       assembly and subscription included.</li>
 *   <li>{@code stork_*}: Stork's own {@code LoadBalancer.selectServiceInstance(Collection)} over a
 *       {@code List<ServiceInstance>} built once (round robin from {@code stork-core}, least requests and power of two
 *       choices from their modules, the latter with {@code useSecureRandom=false}, its default).</li>
 *   <li>{@code armeria_*}: {@code EndpointGroup.of(strategy, endpoints).selectNow(ctx)} with
 *       {@code roundRobin()} / {@code weightedRoundRobin()} (equal weights); one {@code ClientRequestContext} built in
 *       setup and reused by every call (Armeria builds one per request in real use, which this does not count).
 *       Armeria 1.40 has no least-loaded strategy outside xDS, so there is none here.</li>
 * </ul>
 *
 * <p>Least-requests and two-choices selectors see the same busy state: each endpoint has 1-8 requests in flight (fixed
 * seed), set through Loadstar's {@code tryStartRequest} and through Stork's own in-flight collector. {@link #select}
 * runs on one thread, {@link #select2Threads} on two sharing the same balancer.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class PeerSelectionBenchmark {

  @Param({"loadstar_round_robin", "loadstar_least_outstanding_requests", "loadstar_power_of_two_choices",
      "spring_round_robin", "spring_random",
      "stork_round_robin", "stork_least_requests", "stork_power_of_two_choices",
      "armeria_round_robin", "armeria_weighted_round_robin"})
  String impl;

  @Param({"3", "100", "1000"})
  int endpoints;

  /** What one benchmark call does: one selection. */
  interface Pick {
    Object pick();
  }

  private Vertx vertx;
  private TargetGroup group;
  private EndpointGroup armeriaGroup;
  private Pick pick;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    Random random = new Random(42);
    int[] inFlight = new int[endpoints];
    for (int i = 0; i < endpoints; i++) {
      inFlight[i] = 1 + random.nextInt(8);
    }
    if (impl.startsWith("loadstar_")) {
      setUpLoadstar(BalancingAlgorithm.byName(impl.substring("loadstar_".length())), inFlight);
    } else if (impl.startsWith("spring_")) {
      setUpSpring();
    } else if (impl.startsWith("stork_")) {
      setUpStork(inFlight);
    } else if (impl.startsWith("armeria_")) {
      setUpArmeria();
    } else {
      throw new IllegalArgumentException("impl: " + impl);
    }
    if (pick.pick() == null) {
      throw new IllegalStateException(impl + " selected nothing");
    }
  }

  private void setUpLoadstar(BalancingAlgorithm algorithm, int[] inFlight) {
    vertx = Vertx.vertx();
    group = TargetGroup.create(vertx, TargetGroupConfig.builder("bench").algorithm(algorithm).build());
    List<Target> ts = new ArrayList<>(endpoints);
    for (int i = 0; i < endpoints; i++) {
      ts.add(Target.of("t" + i, "127.0.0.1", port(i)));
    }
    group.register(ts);
    List<RegisteredTarget> registered = group.targets();
    for (int i = 0; i < endpoints; i++) {
      RegisteredTarget t = registered.get(i);
      t.tryStartRequest();
      t.endRequest(RequestOutcome.SUCCESS, 1_000_000L);
      for (int j = 0; j < inFlight[i]; j++) {
        t.tryStartRequest();
      }
    }
    TargetGroup g = group;
    pick = () -> g.select(SelectionContext.NONE);
  }

  private void setUpSpring() {
    ServiceInstance[] instances = new ServiceInstance[endpoints];
    for (int i = 0; i < endpoints; i++) {
      instances[i] = new DefaultServiceInstance("t" + i, "bench", "127.0.0.1", port(i), false);
    }
    var provider = ServiceInstanceListSuppliers.toProvider("bench", instances);
    ReactorServiceInstanceLoadBalancer lb = impl.equals("spring_round_robin")
        ? new RoundRobinLoadBalancer(provider, "bench")
        : new RandomLoadBalancer(provider, "bench");
    pick = () -> lb.choose().block().getServer();
  }

  private void setUpStork(int[] inFlight) throws Exception {
    List<io.smallrye.stork.api.ServiceInstance> instances = new ArrayList<>(endpoints);
    for (int i = 0; i < endpoints; i++) {
      instances.add(new io.smallrye.stork.impl.DefaultServiceInstance(i, "127.0.0.1", port(i), false));
    }
    LoadBalancer lb;
    switch (impl) {
      case "stork_round_robin":
        lb = new io.smallrye.stork.impl.RoundRobinLoadBalancer();
        break;
      case "stork_least_requests":
        lb = new LeastRequestsLoadBalancer();
        break;
      case "stork_power_of_two_choices":
        lb = new PowerOfTwoChoicesLoadBalancer(false) {
        };
        break;
      default:
        throw new IllegalArgumentException("impl: " + impl);
    }
    if (!impl.equals("stork_round_robin")) {
      // Stork keeps in-flight counts in the balancer's own collector, fed by the instances it hands out; set them
      // directly so the selectors see the same busy state as Loadstar's.
      Field f = lb instanceof PowerOfTwoChoicesLoadBalancer
          ? PowerOfTwoChoicesLoadBalancer.class.getDeclaredField("collector")
          : LeastRequestsLoadBalancer.class.getDeclaredField("collector");
      f.setAccessible(true);
      InflightRequestCollector collector = (InflightRequestCollector) f.get(lb);
      for (int i = 0; i < endpoints; i++) {
        collector.get(i); // creates the instance's counter, as the first selection would
        for (int j = 0; j < inFlight[i]; j++) {
          collector.recordStart(i, false);
        }
        if (collector.get(i) != inFlight[i]) {
          throw new IllegalStateException("stork in-flight " + i + ": " + collector.get(i));
        }
      }
    }
    Collection<io.smallrye.stork.api.ServiceInstance> all = instances;
    pick = () -> lb.selectServiceInstance(all);
  }

  private void setUpArmeria() {
    List<Endpoint> list = new ArrayList<>(endpoints);
    for (int i = 0; i < endpoints; i++) {
      list.add(Endpoint.of("127.0.0.1", port(i)));
    }
    EndpointSelectionStrategy strategy = impl.equals("armeria_round_robin")
        ? EndpointSelectionStrategy.roundRobin()
        : EndpointSelectionStrategy.weightedRoundRobin();
    armeriaGroup = EndpointGroup.of(strategy, list);
    ClientRequestContext ctx = ClientRequestContext.of(HttpRequest.of(HttpMethod.GET, "/"));
    EndpointGroup g = armeriaGroup;
    pick = () -> g.selectNow(ctx);
  }

  private static int port(int i) {
    return 10_000 + i;
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    if (group != null) {
      group.close();
    }
    if (vertx != null) {
      vertx.close().await();
    }
    if (armeriaGroup != null) {
      armeriaGroup.close();
    }
  }

  /** One selection on one thread. */
  @Benchmark
  @Threads(1)
  public Object select() {
    return pick.pick();
  }

  /** One selection, two threads sharing the balancer. */
  @Benchmark
  @Threads(2)
  public Object select2Threads() {
    return pick.pick();
  }
}
