package dev.loadstar.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;

/**
 * {@link SelectionBenchmark}'s set-up timed in CPU time: nanoseconds of the selecting thread's CPU time per
 * selection ({@code ThreadMXBean.getCurrentThreadCpuTime}), so time the thread spends waiting for a core on a
 * shared machine is not counted (cache pollution by other processes still is). One (algorithm, targets) pair per
 * JVM, as JMH's forks, so call sites stay monomorphic.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.loadstar.benchmarks.SelectionCpuTime ALGORITHM TARGETS [ROUNDS]
 * [SELECTIONS_PER_ROUND]} (defaults 10 rounds of 5,000,000 after 5 unmeasured rounds); prints the median and the
 * lowest round.
 */
public final class SelectionCpuTime {

  private SelectionCpuTime() {
  }

  /** Runs the measurement; see the class comment for the arguments. */
  public static void main(String[] args) {
    if (args.length < 2) {
      System.err.println("usage: SelectionCpuTime ALGORITHM TARGETS [ROUNDS] [SELECTIONS_PER_ROUND]");
      System.exit(2);
    }
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 10;
    int perRound = args.length > 3 ? Integer.parseInt(args[3]) : 5_000_000;
    SelectionBenchmark b = new SelectionBenchmark();
    b.algorithm = args[0];
    b.targets = Integer.parseInt(args[1]);
    b.setUp();
    try {
      ThreadMXBean mx = ManagementFactory.getThreadMXBean();
      SelectionBenchmark.KeyState key = new SelectionBenchmark.KeyState();
      long nulls = 0;
      for (int r = 0; r < 5; r++) {
        nulls += run(b, key, perRound);
      }
      double[] ns = new double[rounds];
      for (int r = 0; r < rounds; r++) {
        long t0 = mx.getCurrentThreadCpuTime();
        nulls += run(b, key, perRound);
        ns[r] = (mx.getCurrentThreadCpuTime() - t0) / (double) perRound;
      }
      Arrays.sort(ns);
      System.out.printf(Locale.ROOT, "%s %d targets: %.1f ns CPU/selection median, %.1f lowest (%d rounds x %d)%s%n",
          b.algorithm, b.targets, ns[rounds / 2], ns[0], rounds, perRound, nulls == 0 ? "" : " NULLS " + nulls);
    } finally {
      b.tearDown();
    }
  }

  private static long run(SelectionBenchmark b, SelectionBenchmark.KeyState key, int n) {
    long nulls = 0;
    for (int i = 0; i < n; i++) {
      if (b.select(key) == null) {
        nulls++;
      }
    }
    return nulls;
  }
}
