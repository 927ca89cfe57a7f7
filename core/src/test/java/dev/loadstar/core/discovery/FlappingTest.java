package dev.loadstar.core.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loadstar.core.RegisteredTarget;
import dev.loadstar.core.Target;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetGroupConfig;
import dev.loadstar.core.TargetGroupListener;
import dev.loadstar.core.TargetHealth;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FlappingTest {

  private static final Target A = Target.of("a", "127.0.0.1", 9001);
  private static final Target B = Target.of("b", "127.0.0.1", 9002);

  private Vertx vertx;
  private TargetGroup group;
  private TargetDiscovery discovery;
  private ScriptedSource source;
  private final List<String> membershipEvents = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    group = TargetGroup.create(vertx, TargetGroupConfig.builder("flappy").healthCheckEnabled(true)
        .deregistrationDelay(Duration.ZERO).build());
    group.addListener(new TargetGroupListener() {
      @Override
      public void onTargetRegistered(TargetGroup g, RegisteredTarget target) {
        membershipEvents.add("registered " + target.target().id());
      }

      @Override
      public void onTargetDraining(TargetGroup g, RegisteredTarget target) {
        membershipEvents.add("draining " + target.target().id());
      }

      @Override
      public void onTargetDeregistered(TargetGroup g, RegisteredTarget target) {
        membershipEvents.add("deregistered " + target.target().id());
      }
    });
    source = new ScriptedSource();
  }

  @AfterEach
  void tearDown() {
    if (discovery != null) {
      discovery.close().await();
    }
    group.close().await();
    vertx.close().await();
  }

  private void start(Duration removalDelay) {
    discovery = TargetDiscovery.start(vertx, group, DiscoveryConfig.builder()
        .addSource(source).removalDelay(removalDelay).build());
    await().atMost(Duration.ofSeconds(10)).until(source::started);
    source.answer(A, B);
    discovery.whenReady(Duration.ofSeconds(10)).await();
    assertThat(group.updateHealth("a", TargetHealth.HEALTHY)).isTrue();
    assertThat(group.updateHealth("b", TargetHealth.HEALTHY)).isTrue();
  }

  @Test
  void aTargetRemovedAndReAddedWithinTheWindowKeepsItsRegistrationAndHealth() {
    start(Duration.ofHours(1));
    RegisteredTarget a = group.target("a");

    source.answer(B);
    await().atMost(Duration.ofSeconds(10)).until(() -> discovery.pendingRemovals().equals(Set.of("a")));
    // Still registered and routable during the window.
    assertThat(a.isActive()).isTrue();
    assertThat(a.health()).isEqualTo(TargetHealth.HEALTHY);
    assertThat(discovery.describe()).contains("pending removal: a at ");

    source.answer(A, B);
    await().atMost(Duration.ofSeconds(10)).until(() -> discovery.pendingRemovals().isEmpty());
    assertThat(group.target("a")).isSameAs(a);
    assertThat(a.health()).isEqualTo(TargetHealth.HEALTHY);
    assertThat(membershipEvents).containsExactly("registered a", "registered b");
  }

  @Test
  void aTargetGoneLongerThanTheWindowIsDeregisteredAndComesBackAsNew() {
    start(Duration.ofMillis(100));
    source.answer(B);
    await().atMost(Duration.ofSeconds(10)).until(() -> group.target("a") == null);
    // the snapshot is published before the listeners run on the deregistering thread: wait for the last event
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(membershipEvents)
        .containsExactly("registered a", "registered b", "draining a", "deregistered a"));
    assertThat(discovery.pendingRemovals()).isEmpty();

    source.answer(A, B);
    await().atMost(Duration.ofSeconds(10)).until(() -> group.target("a") != null);
    assertThat(group.target("a").health()).isEqualTo(TargetHealth.INITIAL);
    assertThat(group.target("b").health()).isEqualTo(TargetHealth.HEALTHY);
  }
}
