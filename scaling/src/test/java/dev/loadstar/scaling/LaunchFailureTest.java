package dev.loadstar.scaling;

import static dev.loadstar.scaling.Soon.soon;
import static org.assertj.core.api.Assertions.assertThat;

import dev.loadstar.core.time.ManualTimeSource;
import dev.loadstar.scaling.providers.InProcessProvider;
import dev.loadstar.scaling.spi.InstanceProvider;
import dev.loadstar.scaling.spi.ProviderInstance;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A provider whose launches fail: Failed activities spaced exactly by the backoff (on fake time), the group stays up
 * and recovers.
 */
class LaunchFailureTest {

  private Vertx vertx;
  private InProcessProvider delegate;
  private ScalingGroup group;

  /** Fails the first {@code failures} launches (the first by throwing, the others with a failed future). */
  static final class ScriptedProvider implements InstanceProvider {
    final InstanceProvider delegate;
    final int failures;
    final AtomicInteger launches = new AtomicInteger();
    final AtomicInteger describes = new AtomicInteger();

    ScriptedProvider(InstanceProvider delegate, int failures) {
      this.delegate = delegate;
      this.failures = failures;
    }

    @Override
    public String name() {
      return "scripted";
    }

    @Override
    public Future<ProviderInstance> launch(String groupName, LaunchTemplate template) {
      int n = launches.incrementAndGet();
      if (n == 1 && failures >= 1) {
        throw new IllegalStateException("scripted failure " + n);
      }
      if (n <= failures) {
        return Future.failedFuture(new IllegalStateException("scripted failure " + n));
      }
      return delegate.launch(groupName, template);
    }

    @Override
    public Future<Void> terminate(String instanceId) {
      return delegate.terminate(instanceId);
    }

    @Override
    public Future<List<ProviderInstance>> describe(String groupName, LaunchTemplate template) {
      describes.incrementAndGet();
      return delegate.describe(groupName, template);
    }

    @Override
    public Future<Void> close() {
      return delegate.close();
    }
  }

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    delegate = new InProcessProvider(vertx);
  }

  @AfterEach
  void tearDown() {
    if (group != null) {
      group.close().await();
    }
    delegate.close().await();
    vertx.close().await();
  }

  @Test
  void failedLaunchesAreRecordedAndRetriedExactlyOnTheBackoffInFakeTime() {
    ScriptedProvider provider = new ScriptedProvider(delegate, 5);
    Instant origin = Instant.parse("2026-01-01T00:00:00Z");
    ManualTimeSource time = new ManualTimeSource(origin.toEpochMilli());
    ScalingGroupConfig config = ScalingGroupConfig.builder("virtual", LaunchTemplate.of("scripted"))
        .provider(provider).capacity(1, 1, 1).launchBackoff(Duration.ofSeconds(1), Duration.ofSeconds(4))
        .healthCheckInterval(Duration.ofHours(1)).build();
    group = ScalingGroup.create(vertx, config, time);
    group.start().await();
    soon().until(() -> launches().size() == 1 && launches().get(0).isDone());

    // Failures at 0 s, 1 s, 3 s, 7 s, 11 s (backoff 1, 2, 4, 4 s); the sixth attempt, at 15 s, succeeds.
    long[] attemptsAtMs = {0, 1000, 3000, 7000, 11000, 15000};
    for (int i = 1; i < attemptsAtMs.length; i++) {
      long gap = attemptsAtMs[i] - attemptsAtMs[i - 1];
      // the failure that ended the previous attempt arms the backoff right after ending its activity
      soon().until(() -> time.pendingDelays().contains(Duration.ofMillis(gap)));
      time.advance(Duration.ofMillis(gap - 1));
      assertThat(launches()).as("no attempt 1 ms before the backoff ends").hasSize(i);
      time.advance(Duration.ofMillis(1));
      assertThat(launches()).as("attempt %d when the backoff ends", i + 1).hasSize(i + 1);
      int attempt = i;
      soon().until(() -> launches().get(attempt).isDone());
    }
    soon().until(() -> group.instances().size() == 1
        && group.instances().get(0).state() == InstanceState.IN_SERVICE);
    List<ScalingActivity> launches = launches();
    assertThat(launches).hasSize(6);
    for (int i = 0; i < attemptsAtMs.length; i++) {
      assertThat(launches.get(i).startTime()).isEqualTo(origin.plusMillis(attemptsAtMs[i]));
    }
    assertThat(launches.subList(0, 5)).allSatisfy(a -> {
      assertThat(a.status()).isEqualTo(ScalingActivityStatus.FAILED);
      assertThat(a.instanceId()).isNull();
      assertThat(a.statusMessage()).startsWith("Launching a new instance failed: scripted failure ");
      assertThat(a.endTime()).isEqualTo(a.startTime());
    });
    assertThat(launches.get(5).status()).isEqualTo(ScalingActivityStatus.SUCCESSFUL);
    assertThat(launches.get(5).instanceId()).isEqualTo(group.instances().get(0).id());
    assertThat(provider.launches.get()).isEqualTo(6);
  }

  private List<ScalingActivity> launches() {
    return group.activities().stream().filter(a -> a.kind() == ScalingActivity.Kind.LAUNCH).toList();
  }
}
