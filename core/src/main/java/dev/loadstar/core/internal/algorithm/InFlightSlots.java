package dev.loadstar.core.internal.algorithm;

import dev.loadstar.core.RegisteredTarget;
import dev.loadstar.core.internal.DefaultRegisteredTarget;
import dev.loadstar.core.internal.InFlightTable;

/**
 * Where a selector's targets keep their in-flight counts when they all belong to one group: their slots in the
 * group's {@link InFlightTable}, so a selector reads the counts from a few contiguous cache lines instead of one
 * object per target.
 *
 * <p>{@link #runs}{@code [i]} is how many targets from position {@code i} on have consecutive slots in one page
 * (targets registered together get consecutive slots), so a scan reads each run as one plain array walk. When
 * all of them are one run (the usual case up to {@value InFlightTable#PAGE_SIZE} targets), {@link #single} is that
 * page and position {@code p}'s word is {@code single[base + p]}: one load. Selectors copy these fields into
 * their own, so that a count is as few dependent loads away as possible. The
 * reads are plain: a count is a hint that may be stale by the time the request starts whatever the read, and the
 * low 32 bits of a word are always a value some update wrote. A slot whose target left and was reused reads the
 * new owner's count; the old target, if chosen from a stale snapshot, then refuses to start the request.
 */
final class InFlightSlots {

  final long[][] pages;
  final int[] slots;
  final int[] runs;
  /** The page of every position's word when they are all one run, else null. */
  final long[] single;
  /** With {@link #single}: the index in it of position 0's word. */
  final int base;
  /** Position {@code p}'s word is {@code pageOf[p][indexOf[p]]}. */
  final long[][] pageOf;
  final int[] indexOf;

  private InFlightSlots(long[][] pages, int[] slots) {
    this.pages = pages;
    this.slots = slots;
    int n = slots.length;
    this.runs = new int[n];
    this.pageOf = new long[n][];
    this.indexOf = new int[n];
    for (int i = n - 1; i >= 0; i--) {
      boolean continues = i + 1 < n && slots[i + 1] == slots[i] + 1 && (slots[i + 1] & InFlightTable.PAGE_MASK) != 0;
      runs[i] = continues ? runs[i + 1] + 1 : 1;
      pageOf[i] = pages[slots[i] >>> InFlightTable.PAGE_SHIFT];
      indexOf[i] = slots[i] & InFlightTable.PAGE_MASK;
    }
    this.single = runs[0] == n ? pageOf[0] : null;
    this.base = indexOf[0];
  }

  /** The slots of {@code targets}, or null unless every one is a group member of the same group. */
  static InFlightSlots of(RegisteredTarget[] targets) {
    if (targets.length == 0 || !(targets[0] instanceof DefaultRegisteredTarget first)) {
      return null;
    }
    InFlightTable table = first.inFlightTable();
    int[] slots = new int[targets.length];
    for (int i = 0; i < targets.length; i++) {
      if (!(targets[i] instanceof DefaultRegisteredTarget t) || t.inFlightTable() != table) {
        return null;
      }
      slots[i] = t.inFlightSlot();
    }
    // read after the slots: every slot taken so far has its page in this array
    return new InFlightSlots(table.pages(), slots);
  }

  /** The in-flight count of the target at {@code position}. */
  int inFlight(int position) {
    return InFlightTable.count(pageOf[position][indexOf[position]]);
  }
}
