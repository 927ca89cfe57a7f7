package dev.loadstar.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The microservices sample ({@code orders}) through the real command line, in this JVM. */
class OrdersCommandTest {

  @Test
  void ordersSurviveAnInventoryCrashAndTheCartStaysOnOnePricingInstance() {
    CommandRun run = CommandRun.of("orders");

    assertThat(run.exitCode()).as(run.out()).isZero();
    String out = run.out();
    assertThat(out).contains("All 7 checks held.");
    assertThat(Arrays.stream(out.split("\n")).filter(l -> l.startsWith(" FAIL"))).isEmpty();
    assertThat(out).contains("60 of 60 orders answered 200");
    assertThat(out).containsPattern("0 of 40 orders failed; [1-9]\\d* inventory call\\(s\\) were retried on the other"
        + " instance; the \\d+ orders sent after the crash were served by \\[inventory-2]");
    assertThat(out).contains("-- inventory-1 crashes");
    assertThat(out).containsPattern("order +\\d+: 200 +inventory inventory-2 \\(2 attempts: retried on another"
        + " instance\\)");
    assertThat(out).contains("every inventory.internal call answered by [inventory-1, inventory-2], every"
        + " pricing.internal call by [pricing-1, pricing-2]");
    assertThat(out).containsPattern("inventory-1 is unhealthy \\(Target\\.(OutlierEjected|FailedHealthChecks)\\)");
    assertThat(out).containsPattern("4 cart calls served by \\[pricing-[12]]; the cart holds \\[3,14,15], total 524"
        + " \\(expected 524\\)");
    assertThat(out).contains("3 adds without the cookie went to [pricing-1, pricing-2]");
  }
}
