package dev.loadstar.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loadstar.core.SelectionContext;
import dev.loadstar.core.Stickiness;
import dev.loadstar.core.Target;
import dev.loadstar.core.TargetGroupConfig;
import io.vertx.core.Vertx;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The session-key map stays bounded, and a full map does not cost a sweep of every binding per new key. */
class StickySessionBindingsTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @Test
  void aFullMapSweepsOncePerTenthOfItsBoundNotOncePerNewKey() {
    DefaultTargetGroup group = new DefaultTargetGroup(vertx, TargetGroupConfig.builder("web")
        .stickiness(Stickiness.lbCookie(Duration.ofHours(1))).deregistrationDelay(Duration.ZERO).build());
    group.register(Target.of("a", "127.0.0.1", 9));
    DefaultStickySessions sessions = (DefaultStickySessions) group.stickySessions();
    int extra = 50_000;
    for (int i = 0; i < DefaultStickySessions.MAX_SESSION_BINDINGS + extra; i++) {
      assertThat(sessions.selectForSession("session-" + i, SelectionContext.NONE)).isNotNull();
    }
    assertThat(sessions.bindings()).isLessThanOrEqualTo(DefaultStickySessions.MAX_SESSION_BINDINGS);
    // each sweep leaves 90% of the bound: 50,000 keys past the bound need 5 sweeps (one key per sweep before)
    assertThat(sessions.sweeps.sum()).isBetween(5L, 6L);
    group.close();
  }
}
