package dev.loadstar.benchmarks;

import dev.loadstar.core.BalancingAlgorithm;
import dev.loadstar.core.RegisteredTarget;
import dev.loadstar.core.SelectionContext;
import dev.loadstar.core.Target;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetGroupConfig;
import io.vertx.core.Vertx;
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
 * Round-robin selection through a target group against the floor: a bare {@code AtomicInteger} modulo n.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RoundRobinFloorBenchmark {

  @Param({"2", "100", "10000"})
  int targets;

  private Vertx vertx;
  private TargetGroup group;
  private RegisteredTarget[] array;
  private final AtomicInteger floor = new AtomicInteger();

  @Setup(Level.Trial)
  public void setUp() {
    vertx = Vertx.vertx();
    group = TargetGroup.create(vertx, TargetGroupConfig.builder("bench").algorithm(BalancingAlgorithm.roundRobin())
        .build());
    for (int i = 0; i < targets; i++) {
      group.register(Target.of("t" + i, "127.0.0.1", 10_000 + (i % 50_000)));
    }
    array = group.targets().toArray(new RegisteredTarget[0]);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    group.close();
    vertx.close().await();
  }

  /** The floor: an atomic counter modulo the target count. */
  @Benchmark
  public RegisteredTarget atomicIntegerFloor() {
    return array[Math.floorMod(floor.getAndIncrement(), array.length)];
  }

  /** Loadstar's round robin through the group's snapshot. */
  @Benchmark
  public RegisteredTarget loadstarRoundRobin() {
    return group.select(SelectionContext.NONE);
  }
}
