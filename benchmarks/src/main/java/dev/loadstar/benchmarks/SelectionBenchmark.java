package dev.loadstar.benchmarks;

import dev.loadstar.core.BalancingAlgorithm;
import dev.loadstar.core.RegisteredTarget;
import dev.loadstar.core.RequestOutcome;
import dev.loadstar.core.SelectionContext;
import dev.loadstar.core.Target;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetGroupConfig;
import dev.loadstar.core.internal.algorithm.Algorithms;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.net.endpoint.DefaultInteractionMetrics;
import io.vertx.core.net.endpoint.InteractionMetrics;
import io.vertx.core.net.endpoint.LoadBalancer;
import io.vertx.core.net.endpoint.ServerEndpoint;
import io.vertx.core.net.endpoint.ServerInteraction;
import io.vertx.core.net.endpoint.ServerSelector;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * One selection (ns/op; B/op with {@code -prof gc}) for every algorithm through a target group, against the floor
 * (a bare {@code AtomicInteger} modulo n over an array) and Vert.x 5's own {@code LoadBalancer.ROUND_ROBIN} and
 * {@code LEAST_REQUESTS} selectors over the same targets, with the same in-flight counts.
 *
 * <p>Every (algorithm, targets) pair runs in its own fork, so call sites stay monomorphic as in an application
 * with one algorithm. Targets carry 1-8 requests in flight (busy: no idle target lets a scan stop early) and a
 * latency sample of 1-50 ms (fixed seed); weighted
 * variants use weights 1-10 (fixed seed). Hashing algorithms get a new key on every call. Run with {@code -t 1}
 * and {@code -t 2} for one and two threads.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class SelectionBenchmark {

  @Param({"floor", "vertx_round_robin", "vertx_least_requests", "round_robin", "round_robin_weighted",
      "least_outstanding_requests", "least_outstanding_requests_exact", "weighted_random", "power_of_two_choices",
      "peak_ewma", "ring_hash", "maglev"})
  String algorithm;

  @Param({"2", "100", "10000"})
  int targets;

  /** What one benchmark call does: one selection. */
  interface Pick {
    Object pick(KeyState key);
  }

  private Vertx vertx;
  private TargetGroup group;
  private Pick pick;

  /** A per-thread, mutable selection context: a new hash key on every call, without allocating. */
  @State(Scope.Thread)
  public static class KeyState implements SelectionContext {
    long key = 0x9E3779B97F4A7C15L * Thread.currentThread().getId();

    @Override
    public boolean hasHashKey() {
      return true;
    }

    @Override
    public long hashKey() {
      return key;
    }

    KeyState next() {
      key += 0x9E3779B97F4A7C15L;
      return this;
    }
  }

  /** A Vert.x server endpoint over the same address, with Vert.x's default metrics (in-flight counts). */
  static final class FakeEndpoint implements ServerEndpoint {
    private final String key;
    private final SocketAddress address;
    private final DefaultInteractionMetrics metrics = new DefaultInteractionMetrics();

    FakeEndpoint(String key, int port) {
      this.key = key;
      this.address = SocketAddress.inetSocketAddress(port, "127.0.0.1");
    }

    @Override
    public String key() {
      return key;
    }

    @Override
    public SocketAddress address() {
      return address;
    }

    @Override
    public ServerInteraction newInteraction() {
      throw new UnsupportedOperationException("selection only");
    }

    @Override
    public InteractionMetrics<?> metrics() {
      return metrics;
    }

    @Override
    public Object unwrap() {
      return this;
    }
  }

  @Setup(Level.Trial)
  public void setUp() {
    Random random = new Random(42);
    int[] inFlight = new int[targets];
    long[] latency = new long[targets];
    int[] weights = new int[targets];
    for (int i = 0; i < targets; i++) {
      inFlight[i] = 1 + random.nextInt(8);
      latency[i] = 1_000_000L * (1 + random.nextInt(50));
      weights[i] = 1 + random.nextInt(10);
    }
    switch (algorithm) {
      case "floor": {
        FakeEndpoint[] array = endpoints(inFlight);
        AtomicInteger counter = new AtomicInteger();
        pick = k -> array[Math.floorMod(counter.getAndIncrement(), array.length)];
        return;
      }
      case "vertx_round_robin":
      case "vertx_least_requests": {
        FakeEndpoint[] array = endpoints(inFlight);
        List<FakeEndpoint> list = List.of(array);
        LoadBalancer lb = algorithm.equals("vertx_round_robin") ? LoadBalancer.ROUND_ROBIN : LoadBalancer.LEAST_REQUESTS;
        ServerSelector selector = lb.selector(list);
        pick = k -> array[selector.select()];
        return;
      }
      default:
        break;
    }
    BalancingAlgorithm a;
    boolean weighted = false;
    switch (algorithm) {
      case "round_robin_weighted":
        a = BalancingAlgorithm.roundRobin();
        weighted = true;
        break;
      case "least_outstanding_requests_exact":
        a = Algorithms.leastOutstandingRequests(Integer.MAX_VALUE);
        break;
      default:
        // least_outstanding_requests_scan_N: the windowed scan with a window of N (not in the default @Param set)
        a = algorithm.startsWith("least_outstanding_requests_scan_")
            ? Algorithms.leastOutstandingRequests(Integer.parseInt(algorithm.substring(32)))
            : BalancingAlgorithm.byName(algorithm);
    }
    vertx = Vertx.vertx();
    group = TargetGroup.create(vertx, TargetGroupConfig.builder("bench").algorithm(a).build());
    List<Target> ts = new ArrayList<>(targets);
    for (int i = 0; i < targets; i++) {
      ts.add(Target.builder("t" + i, "127.0.0.1", 10_000 + i % 50_000).weight(weighted ? weights[i] : 1).build());
    }
    group.register(ts);
    List<RegisteredTarget> registered = group.targets();
    for (int i = 0; i < targets; i++) {
      RegisteredTarget t = registered.get(i);
      t.tryStartRequest();
      t.endRequest(RequestOutcome.SUCCESS, latency[i]);
      for (int j = 0; j < inFlight[i]; j++) {
        t.tryStartRequest();
      }
    }
    TargetGroup g = group;
    pick = k -> g.select(k.next());
  }

  private FakeEndpoint[] endpoints(int[] inFlight) {
    FakeEndpoint[] array = new FakeEndpoint[targets];
    for (int i = 0; i < targets; i++) {
      array[i] = new FakeEndpoint("t" + i, 10_000 + i % 50_000);
      for (int j = 0; j < inFlight[i]; j++) {
        ((DefaultInteractionMetrics) array[i].metrics()).initiateRequest();
      }
    }
    return array;
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    if (group != null) {
      group.close();
    }
    if (vertx != null) {
      vertx.close().await();
    }
  }

  /** One selection. */
  @Benchmark
  public Object select(KeyState key) {
    return pick.pick(key);
  }
}
