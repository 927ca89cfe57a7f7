package dev.loadstar.core.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loadstar.core.RegisteredTarget;
import dev.loadstar.core.Target;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetGroupConfig;
import dev.loadstar.core.TargetHealth;
import dev.loadstar.core.discovery.TargetSourceStatus.State;
import dev.loadstar.core.time.ManualTimeSource;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Discovery's timers on a {@link ManualTimeSource}: the removal delay (flapping window), the readiness timeout, and
 * a file source's polling and retry backoff, to the millisecond.
 */
class DiscoveryOnFakeTimeTest {

  private static final Instant ORIGIN = Instant.parse("2026-01-01T00:00:00Z");
  private static final Target A = Target.of("a", "127.0.0.1", 9001);
  private static final Target B = Target.of("b", "127.0.0.1", 9002);

  @TempDir
  Path dir;

  private final ManualTimeSource time = new ManualTimeSource(ORIGIN.toEpochMilli());
  private Vertx vertx;
  private TargetGroup group;
  private TargetDiscovery discovery;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    group = TargetGroup.create(vertx, TargetGroupConfig.builder("timed").healthCheckEnabled(true)
        .deregistrationDelay(Duration.ZERO).build());
  }

  @AfterEach
  void tearDown() {
    if (discovery != null) {
      discovery.close().await();
    }
    group.close().await();
    vertx.close().await();
  }

  private static ConditionFactory soon() {
    return await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5)).atMost(Duration.ofSeconds(10));
  }

  @Test
  void aTargetLeavesExactlyOneRemovalDelayAfterItsLastReportAndAReportWithinTheWindowKeepsIt() {
    Duration window = Duration.ofSeconds(10);
    ScriptedSource source = new ScriptedSource();
    discovery = TargetDiscovery.start(vertx, group, DiscoveryConfig.builder().addSource(source)
        .removalDelay(window).build(), time);
    soon().until(source::started);
    source.answer(A, B);
    discovery.whenReady(Duration.ofSeconds(10)).await();
    assertThat(group.updateHealth("a", TargetHealth.HEALTHY)).isTrue();
    RegisteredTarget a = group.target("a");

    // Gone at 0 s: pending until 10 s.
    source.answer(B);
    soon().until(() -> discovery.pendingRemovals().equals(Set.of("a")));
    assertThat(discovery.describe()).contains("pending removal: a at " + ORIGIN.plus(window));
    time.advance(window.minusMillis(1));
    assertThat(a.isActive()).isTrue();

    // Back at 9.999 s: the removal is cancelled, 10 s later it is still there with its health.
    source.answer(A, B);
    soon().until(() -> discovery.pendingRemovals().isEmpty());
    time.advance(window);
    assertThat(group.target("a")).isSameAs(a);
    assertThat(a.isActive()).isTrue();
    assertThat(a.health()).isEqualTo(TargetHealth.HEALTHY);

    // Gone again at 19.999 s: registered until 29.998 s, deregistered at 29.999 s.
    source.answer(B);
    soon().until(() -> discovery.pendingRemovals().equals(Set.of("a")));
    time.advance(window.minusMillis(1));
    assertThat(group.target("a")).isSameAs(a);
    assertThat(a.isActive()).isTrue();
    time.advance(Duration.ofMillis(1));
    soon().until(() -> group.target("a") == null);
    assertThat(discovery.pendingRemovals()).isEmpty();
    assertThat(group.target("b")).isNotNull();
  }

  @Test
  void whenReadyFailsExactlyAtItsTimeout() {
    ScriptedSource silent = new ScriptedSource();
    discovery = TargetDiscovery.start(vertx, group, DiscoveryConfig.builder().addSource("silent", silent).build(),
        time);
    soon().until(silent::started);
    Future<Void> ready = discovery.whenReady(Duration.ofSeconds(30));
    soon().until(() -> time.pendingTimers() == 1);

    time.advance(Duration.ofSeconds(30).minusMillis(1));
    assertThat(ready.isComplete()).isFalse();
    time.advance(Duration.ofMillis(1));
    soon().until(ready::isComplete);
    assertThat(ready.cause()).isInstanceOf(DiscoveryNotReadyException.class)
        .hasMessageContaining("discovery not ready after 30s; sources still pending: silent (no answer yet)");
  }

  @Test
  void aMissingFileIsRetriedOnTheBackoffAndAFileThatAppearsIsReadAtTheNextPoll() throws Exception {
    Path file = dir.resolve("targets.json");
    Duration poll = Duration.ofSeconds(1);
    List<TargetSourceStatus> failures = new CopyOnWriteArrayList<>();
    discovery = TargetDiscovery.start(vertx, group, DiscoveryConfig.builder()
        .addSource("file", TargetSource.file(new FileSourceOptions().setPath(file.toString()).setPollInterval(poll)
            .setRetryMaxDelay(Duration.ofSeconds(8))))
        .build(), time);
    discovery.addListener(new DiscoveryListener() {
      @Override
      public void onSourceFailed(TargetDiscovery d, TargetSourceStatus status, Throwable cause) {
        failures.add(status);
      }
    });

    // Polls every second; a failure is reported again only once its backoff (1, 2, 4, 8 s, less up to 20 %) has
    // passed: at 0, 1, 3 and 7 s.
    soon().until(() -> time.pendingTimers() == 1 && failures.size() == 1);
    for (int second = 1; second <= 9; second++) {
      time.advance(poll);
      // the report reaches the listener after the poll that failed has scheduled the next one: wait for both, so the
      // clock does not move on before a failure is stamped
      int reports = second >= 7 ? 4 : second >= 3 ? 3 : 2;
      soon().until(() -> time.pendingTimers() == 1 && failures.size() >= reports);
    }
    assertThat(failures).extracting(s -> Duration.between(ORIGIN, s.lastFailure()).toSeconds())
        .containsExactly(0L, 1L, 3L, 7L);
    for (int i = 0; i < failures.size(); i++) {
      TargetSourceStatus s = failures.get(i);
      Duration backoff = Duration.ofSeconds(1L << i);
      assertThat(s.consecutiveFailures()).isEqualTo(i + 1);
      assertThat(s.state()).isEqualTo(State.FAILING);
      assertThat(s.lastError()).isEqualTo(file + ": cannot read the file: no such file");
      assertThat(Duration.between(s.lastFailure(), s.nextAttempt()))
          .isBetween(Duration.ofMillis(backoff.toMillis() * 8 / 10), backoff);
    }
    assertThat(discovery.isReady()).isFalse();

    // The file appears at 9 s: read at the poll at 10 s, not before.
    Files.writeString(file, "[\"127.0.0.1:8080\"]");
    time.advance(poll.minusMillis(1));
    assertThat(group.targets()).isEmpty();
    time.advance(Duration.ofMillis(1));
    discovery.whenReady(Duration.ofSeconds(10)).await();
    assertThat(group.target("127.0.0.1:8080")).isNotNull();
    assertThat(discovery.status("file").lastSuccess()).isEqualTo(ORIGIN.plusSeconds(10));
  }
}
