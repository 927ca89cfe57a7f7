package dev.loadstar.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loadstar.core.internal.DefaultRegisteredTarget;
import dev.loadstar.core.internal.algorithm.Algorithms;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A group keeps its members' in-flight counts in one table of slots: a slot is reused only once its target left
 * and drained, a stale reference to a target that left never counts on the slot's next owner, and the selectors
 * that read the table choose exactly as the same algorithms asking each target.
 */
class InFlightTableTest {

  private Vertx vertx;
  private final List<TargetGroup> groups = new ArrayList<>();

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() {
    groups.forEach(TargetGroup::close);
    vertx.close().await();
  }

  private TargetGroup group(BalancingAlgorithm algorithm) {
    TargetGroup g = TargetGroup.create(vertx, TargetGroupConfig.builder("g" + groups.size()).algorithm(algorithm)
        .deregistrationDelay(Duration.ZERO).healthCheckEnabled(false).build());
    groups.add(g);
    return g;
  }

  private static Target target(int i) {
    return Target.builder("t" + i, "127.0.0.1", 1 + i).build();
  }

  private static int slot(RegisteredTarget t) {
    return ((DefaultRegisteredTarget) t).inFlightSlot();
  }

  @Test
  void aTargetThatLeftNeverCountsOnTheNextOwnerOfItsSlot() {
    TargetGroup g = group(BalancingAlgorithm.leastOutstandingRequests());
    RegisteredTarget old = g.register(target(1));
    g.deregister("t1").await();
    RegisteredTarget next = g.register(target(2));
    assertThat(slot(next)).isEqualTo(slot(old));

    assertThat(old.tryStartRequest()).isFalse();
    assertThat(old.isActive()).isFalse();
    assertThat(old.inFlight()).isZero();
    assertThat(next.tryStartRequest()).isTrue();
    assertThat(old.inFlight()).isZero();
    old.endRequest(RequestOutcome.SUCCESS, 1_000); // a misuse: the old target has nothing in flight
    assertThat(next.inFlight()).isEqualTo(1);
    assertThat(next.isActive()).isTrue();
  }

  @Test
  void aSlotLeftWithRequestsInFlightIsReusedOnlyAfterTheyEnd() {
    TargetGroup g = group(BalancingAlgorithm.leastOutstandingRequests());
    RegisteredTarget leaving = g.register(target(1));
    assertThat(leaving.tryStartRequest()).isTrue();
    assertThat(leaving.tryStartRequest()).isTrue();
    g.deregister("t1"); // no delay: removed at once, two requests still in flight
    assertThat(leaving.tryStartRequest()).isFalse();
    assertThat(leaving.inFlight()).isEqualTo(2);

    RegisteredTarget second = g.register(target(2));
    assertThat(slot(second)).isNotEqualTo(slot(leaving));
    leaving.endRequest(RequestOutcome.SUCCESS, 1_000);
    RegisteredTarget third = g.register(target(3));
    assertThat(slot(third)).isNotEqualTo(slot(leaving)).isNotEqualTo(slot(second));

    leaving.endRequest(RequestOutcome.SUCCESS, 1_000);
    assertThat(leaving.inFlight()).isZero();
    RegisteredTarget fourth = g.register(target(4));
    assertThat(slot(fourth)).isEqualTo(slot(leaving));
    assertThat(fourth.tryStartRequest()).isTrue();
    assertThat(fourth.inFlight()).isEqualTo(1);
    assertThat(leaving.inFlight()).isZero();
    assertThat(leaving.tryStartRequest()).isFalse();
  }

  @Test
  void slotsOfTargetsThatLeftAreReusedSoChurnDoesNotGrowTheTable() {
    TargetGroup g = group(BalancingAlgorithm.roundRobin());
    for (int i = 0; i < 10; i++) {
      g.register(target(i));
    }
    int max = 0;
    for (int round = 0; round < 200; round++) {
      int id = 10 + round;
      g.deregister("t" + (id - 10)).await();
      max = Math.max(max, slot(g.register(target(id))));
    }
    assertThat(max).isLessThan(10);
    assertThat(((DefaultRegisteredTarget) g.target("t209")).inFlightTable().inUse()).isEqualTo(10);
  }

  /** Least outstanding requests and two choices read the table; the same algorithm asking each target agrees. */
  @Test
  void selectorsReadingTheTableChooseAsSelectorsAskingEachTarget() {
    // 100 targets registered together: one run in one page; 1,300 with churn: many runs over three pages
    for (int size : new int[] {100, 1_300}) {
    for (boolean weighted : new boolean[] {false, true}) {
      for (BalancingAlgorithm algorithm : List.of(BalancingAlgorithm.leastOutstandingRequests(),
          Algorithms.leastOutstandingRequests(Integer.MAX_VALUE), Algorithms.leastOutstandingRequests(8))) {
        TargetGroup g = group(algorithm);
        Random random = new Random(7);
        List<Target> ts = new ArrayList<>();
        for (int i = 0; i < size; i++) {
          ts.add(Target.builder("t" + i, "127.0.0.1", 1 + i).weight(weighted ? 1 + random.nextInt(10) : 1).build());
        }
        g.register(ts);
        if (size > 512) { // churn scatters the slots so runs of consecutive slots are short
          for (int i = 0; i < size; i += 3) {
            g.deregister("t" + i).await();
          }
          for (int i = 0; i < size; i += 6) {
            g.register(Target.builder("t" + i, "127.0.0.1", 1 + i).weight(weighted ? 2 : 1).build());
          }
        }
        List<RegisteredTarget> members = g.targets();
        for (RegisteredTarget t : members) {
          int n = random.nextInt(6);
          for (int k = 0; k < n; k++) {
            t.tryStartRequest();
          }
        }
        List<RegisteredTarget> asking = new ArrayList<>();
        for (RegisteredTarget t : members) {
          asking.add(FakeTarget.of(t.target().id()).inFlight(t.inFlight()).selectionWeight(t.selectionWeight()));
        }
        TargetSelector fromTable = algorithm.newSelector(members);
        TargetSelector fromTargets = algorithm.newSelector(asking);
        for (int k = 0; k < 500; k++) {
          assertThat(fromTable.select(SelectionContext.NONE).target().id())
              .as("%s over %d, weighted %s, selection %d", algorithm, size, weighted, k)
              .isEqualTo(fromTargets.select(SelectionContext.NONE).target().id());
        }
      }
    }
    }
  }

  @Test
  void aSelectorFromBeforeATargetLeftPrefersOpenTargetsToIt() {
    TargetGroup g = group(BalancingAlgorithm.leastOutstandingRequests());
    g.register(List.of(target(1), target(2), target(3)));
    List<RegisteredTarget> before = g.targets();
    TargetSelector stale = BalancingAlgorithm.leastOutstandingRequests().newSelector(before);
    RegisteredTarget leaving = g.target("t1");
    leaving.tryStartRequest();
    for (String id : List.of("t2", "t3")) {
      for (int k = 0; k < 3; k++) {
        g.target(id).tryStartRequest();
      }
    }
    assertThat(stale.select(SelectionContext.NONE).target().id()).isEqualTo("t1");
    g.deregister("t1"); // removed with one request in flight: closed
    for (int k = 0; k < 6; k++) {
      assertThat(stale.select(SelectionContext.NONE).target().id()).isNotEqualTo("t1");
    }
  }

  @Test
  void powerOfTwoChoicesReadsTheTableAndNeverPicksTheBusierOfTwoTargets() {
    TargetGroup g = group(BalancingAlgorithm.powerOfTwoChoices());
    g.register(List.of(target(1), target(2)));
    RegisteredTarget busy = g.target("t1");
    busy.tryStartRequest();
    for (int k = 0; k < 100; k++) {
      assertThat(g.select(SelectionContext.NONE).target().id()).isEqualTo("t2");
    }
    busy.endRequest(RequestOutcome.SUCCESS, 1_000);
    g.target("t2").tryStartRequest();
    for (int k = 0; k < 100; k++) {
      assertThat(g.select(SelectionContext.NONE).target().id()).isEqualTo("t1");
    }
  }
}
