package dev.loadstar.healthcheck.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loadstar.core.TargetHealth;
import org.junit.jupiter.api.Test;

class ActiveHealthTest {

  private static final TargetHealth MISMATCH = TargetHealth.unhealthy(
      TargetHealth.Reason.TARGET_RESPONSE_CODE_MISMATCH, "Health checks failed with these codes: [502]");
  private static final TargetHealth TIMEOUT = TargetHealth.unhealthy(TargetHealth.Reason.TARGET_TIMEOUT,
      "Request timed out");

  @Test
  void initialTurnsHealthyAfterOnePassingCheck() {
    ActiveHealth m = new ActiveHealth(5, 2, TargetHealth.INITIAL);
    assertThat(m.onSuccess()).isTrue();
    assertThat(m.health()).isEqualTo(TargetHealth.HEALTHY);
  }

  @Test
  void initialThatNeverPassesTurnsUnhealthyAfterTheUnhealthyThreshold() {
    ActiveHealth m = new ActiveHealth(5, 3, TargetHealth.INITIAL);
    assertThat(m.onFailure(MISMATCH)).isFalse();
    assertThat(m.onFailure(MISMATCH)).isFalse();
    assertThat(m.health()).isEqualTo(TargetHealth.INITIAL);
    assertThat(m.onFailure(MISMATCH)).isTrue();
    assertThat(m.health()).isEqualTo(MISMATCH);
  }

  @Test
  void healthyTurnsUnhealthyAfterExactlyThresholdConsecutiveFailures() {
    ActiveHealth m = new ActiveHealth(5, 3, TargetHealth.HEALTHY);
    m.onFailure(MISMATCH);
    m.onFailure(MISMATCH);
    m.onSuccess(); // breaks the run
    assertThat(m.onFailure(MISMATCH)).isFalse();
    assertThat(m.onFailure(MISMATCH)).isFalse();
    assertThat(m.health()).isEqualTo(TargetHealth.HEALTHY);
    assertThat(m.onFailure(TIMEOUT)).isTrue();
    assertThat(m.health()).as("the reason is the last failed check's").isEqualTo(TIMEOUT);
  }

  @Test
  void unhealthyRecoversAfterExactlyThresholdConsecutiveSuccesses() {
    ActiveHealth m = new ActiveHealth(3, 2, MISMATCH);
    m.onSuccess();
    m.onSuccess();
    m.onFailure(MISMATCH); // breaks the run
    assertThat(m.onSuccess()).isFalse();
    assertThat(m.onSuccess()).isFalse();
    assertThat(m.health()).isEqualTo(MISMATCH);
    assertThat(m.onSuccess()).isTrue();
    assertThat(m.health()).isEqualTo(TargetHealth.HEALTHY);
  }

  @Test
  void unhealthyFollowsTheLatestFailureReason() {
    ActiveHealth m = new ActiveHealth(3, 2, MISMATCH);
    assertThat(m.onFailure(MISMATCH)).isFalse();
    assertThat(m.onFailure(TIMEOUT)).isTrue();
    assertThat(m.health()).isEqualTo(TIMEOUT);
  }
}
