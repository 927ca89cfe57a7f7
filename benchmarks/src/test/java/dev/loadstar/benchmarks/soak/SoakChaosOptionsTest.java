package dev.loadstar.benchmarks.soak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SoakChaosOptionsTest {

  @TempDir
  Path dir;

  private String jar() throws Exception {
    return Files.createFile(dir.resolve("loadstar.jar")).toString();
  }

  @Test
  void defaultsAreTenMinutesAtTwoThousandRequestsPerSecondWithAKillEveryTwentySeconds() throws Exception {
    SoakChaos.Options o = SoakChaos.Options.parse(new String[] {"--jar", jar()});

    assertThat(o.duration).isEqualTo(Duration.ofMinutes(10));
    assertThat(o.rate).isEqualTo(2000);
    assertThat(o.killEvery).isEqualTo(Duration.ofSeconds(20));
    assertThat(o.warmup).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void shortRunWarmsUpForAQuarterOfItsDurationAndRampsWithinTheWarmUp() throws Exception {
    SoakChaos.Options o = SoakChaos.Options.parse(new String[] {"--duration", "60s", "--jar", jar()});

    assertThat(o.warmup).isEqualTo(Duration.ofSeconds(15));
    assertThat(o.ramp).isEqualTo(Duration.ofSeconds(10));

    SoakChaos.Options shorter = SoakChaos.Options.parse(new String[] {"--duration", "20s", "--jar", dir.resolve(
        "loadstar.jar").toString()});
    assertThat(shorter.warmup).isEqualTo(Duration.ofSeconds(5));
    assertThat(shorter.ramp).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void badValuesAreRefusedNamingTheOptionAndWhatWasExpected() throws Exception {
    String jar = jar();
    assertThatThrownBy(() -> SoakChaos.Options.parse(new String[] {"--rate", "0", "--jar", jar}))
        .hasMessageStartingWith("--rate: 0");
    assertThatThrownBy(() -> SoakChaos.Options.parse(new String[] {"--duration", "60s", "--warmup", "90s",
        "--jar", jar})).hasMessageStartingWith("--warmup: 1m30s").hasMessageContaining("less than --duration");
    assertThatThrownBy(() -> SoakChaos.Options.parse(new String[] {"--jar", dir.resolve("missing.jar").toString()}))
        .hasMessageStartingWith("--jar: ").hasMessageContaining("the built loadstar.jar");
    assertThatThrownBy(() -> SoakChaos.Options.parse(new String[] {"--rat", "5", "--jar", jar}))
        .hasMessageStartingWith("--rat: 5").hasMessageContaining("one of --duration");
  }
}
