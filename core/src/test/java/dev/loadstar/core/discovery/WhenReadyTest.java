package dev.loadstar.core.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.loadstar.core.Target;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetGroupConfig;
import dev.loadstar.core.discovery.TargetSourceStatus.State;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WhenReadyTest {

  private Vertx vertx;
  private TargetGroup group;
  private TargetDiscovery discovery;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    group = TargetGroup.create(vertx, TargetGroupConfig.builder("orders").build());
  }

  @AfterEach
  void tearDown() {
    if (discovery != null) {
      discovery.close().await();
    }
    group.close().await();
    vertx.close().await();
  }

  @Test
  void whenReadyCompletesOnlyAfterEverySourceAnsweredAndTheGroupHasTheirTargets() {
    ScriptedSource first = new ScriptedSource();
    ScriptedSource second = new ScriptedSource();
    List<String> events = new CopyOnWriteArrayList<>();
    discovery = TargetDiscovery.start(vertx, group, DiscoveryConfig.builder()
        .addSource("first", first).addSource("second", second).build());
    discovery.addListener(new DiscoveryListener() {
      @Override
      public void onSourceUpdated(TargetDiscovery d, TargetSourceStatus status) {
        events.add("updated " + status.name());
      }

      @Override
      public void onReady(TargetDiscovery d) {
        events.add("ready");
      }
    });
    Future<Void> ready = discovery.whenReady(Duration.ofSeconds(30));
    await().atMost(Duration.ofSeconds(10)).until(() -> first.started() && second.started());

    first.answer(Target.of("a", "127.0.0.1", 9001));
    await().atMost(Duration.ofSeconds(10)).until(() -> discovery.status("first").state() == State.OK);
    assertThat(discovery.status("second").state()).isEqualTo(State.PENDING);
    assertThat(ready.isComplete()).isFalse();
    assertThat(discovery.isReady()).isFalse();

    second.answer(Target.of("b", "127.0.0.1", 9002));
    ready.await();
    assertThat(discovery.isReady()).isTrue();
    assertThat(group.targets()).extracting(t -> t.target().id()).containsExactly("a", "b");
    // listeners run after the readiness future completes, possibly on another thread: wait for the last event
    await().atMost(Duration.ofSeconds(10)).untilAsserted(
        () -> assertThat(events).containsExactly("updated first", "updated second", "ready"));
    assertThat(discovery.whenReady(Duration.ofMillis(1)).succeeded()).isTrue();
  }

  @Test
  void whenReadyTimesOutNamingTheGroupThePendingSourcesAndTheTimeout() {
    ScriptedSource silent = new ScriptedSource();
    ScriptedSource flaky = new ScriptedSource();
    ScriptedSource fine = new ScriptedSource();
    discovery = TargetDiscovery.start(vertx, group, DiscoveryConfig.builder()
        .addSource("silent", silent).addSource("flaky", flaky).addSource("fine", fine).build());
    List<String> failures = new CopyOnWriteArrayList<>();
    discovery.addListener(new DiscoveryListener() {
      @Override
      public void onSourceFailed(TargetDiscovery d, TargetSourceStatus status, Throwable cause) {
        failures.add(status.name() + " " + status.state().displayName() + " x" + status.consecutiveFailures()
            + ": " + cause.getMessage());
      }
    });
    await().atMost(Duration.ofSeconds(10)).until(() -> silent.started() && flaky.started() && fine.started());
    fine.answer(Target.of("a", "127.0.0.1", 9001));
    flaky.fail("connection refused");
    await().atMost(Duration.ofSeconds(10)).until(() -> discovery.status("flaky").state() == State.FAILING
        && discovery.status("fine").state() == State.OK);

    assertThat(failures).containsExactly("flaky failing x1: connection refused");
    assertThat(discovery.describe()).contains("  flaky (scripted: scripted by the test): failing, 1 consecutive "
        + "failures, last at ").contains(": connection refused\n");

    Future<Void> ready = discovery.whenReady(Duration.ofMillis(200));
    assertThatThrownBy(ready::await)
        .isInstanceOf(DiscoveryNotReadyException.class)
        .hasMessage("target group orders: discovery not ready after 200ms; sources still pending: "
            + "silent (no answer yet), flaky (failing: connection refused)");
    DiscoveryNotReadyException e = (DiscoveryNotReadyException) ready.cause();
    assertThat(e.group()).isEqualTo("orders");
    assertThat(e.pendingSources()).containsExactly("silent", "flaky");
    assertThat(e.timeout()).isEqualTo(Duration.ofMillis(200));
    // The answers that did arrive are applied meanwhile.
    assertThat(group.target("a")).isNotNull();
  }

  @Test
  void closingFailsPendingWaitersAndStopsEverySource() {
    ScriptedSource silent = new ScriptedSource();
    discovery = TargetDiscovery.start(vertx, group, DiscoveryConfig.builder().addSource(silent).build());
    Future<Void> ready = discovery.whenReady(Duration.ofMinutes(5));
    await().atMost(Duration.ofSeconds(10)).until(silent::started);
    discovery.close().await();
    assertThatThrownBy(ready::await).isInstanceOf(IllegalStateException.class)
        .hasMessage("target group orders: discovery is closed");
    assertThat(silent.closes()).isEqualTo(1);
    assertThat(discovery.close().await()).isNull();
    assertThat(silent.closes()).isEqualTo(1);
    assertThat(discovery.status("scripted").state()).isEqualTo(State.CLOSED);
  }
}
