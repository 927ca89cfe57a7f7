package dev.loadstar.routing.internal.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * The path normaliser's properties ({@link PathsTest#check}: agrees with the reference model, idempotent and
 * allocation-free on its own output, no dot or empty segments, only non-unreserved escapes left, upper-case) on
 * fuzzed paths. Regression mode replays the seeds under {@code PathsFuzzTestInputs/normaliserProperties}; fuzz with
 * {@code JAZZER_FUZZ=1 mvn -B -ntp -pl routing -am verify -Djazzer.hooks=true -Dtest=PathsFuzzTest -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class PathsFuzzTest {

  @FuzzTest(maxDuration = "2m")
  void normaliserProperties(FuzzedDataProvider data) {
    String path = "/" + data.consumeRemainingAsAsciiString();
    assertThat(PathsTest.check(path)).as("path %s", path).isNull();
  }
}
