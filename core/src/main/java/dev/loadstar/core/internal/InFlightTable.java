package dev.loadstar.core.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * A group's request accounting: one 64-bit word per registered target in fixed-size pages that never move, so a
 * selector that compares in-flight counts reads a few contiguous cache lines instead of one object per target.
 *
 * <p>A word holds, in its low 32 bits, the target's in-flight count and its {@link #CLOSED} bit (one atomic word:
 * a request selected before the target left may still start until the bit is set, none after), and in its high 32
 * bits the slot's generation. A slot is given back when its target is closed with nothing in flight, and its next
 * owner gets the next generation: a stale reference to the old target then finds the generation changed and
 * behaves as closed (no request starts, 0 in flight), so reuse never mixes two targets' counts.
 *
 * <p>Slots are taken and given back by the group's writer only (when a target registers, and when it leaves); a
 * slot given back with requests still in flight is reused only once they have ended. Reading and updating a word
 * is lock-free and never touches the table's monitor.
 */
public final class InFlightTable {

  /** Slots per page (a power of two). */
  public static final int PAGE_SIZE = 512;
  /** {@code slot >>> PAGE_SHIFT} is the page of a slot. */
  public static final int PAGE_SHIFT = Integer.numberOfTrailingZeros(PAGE_SIZE);
  /** {@code slot & PAGE_MASK} is the slot's index in its page. */
  public static final int PAGE_MASK = PAGE_SIZE - 1;
  /** Set in a word once its target has left the group: no new request may start. */
  public static final int CLOSED = 1 << 30;
  /** The in-flight count in a word's low 32 bits. */
  public static final int COUNT_MASK = CLOSED - 1;
  static final long LOW = 0xFFFF_FFFFL;
  static final long GENERATION_ONE = 1L << 32;

  static final VarHandle WORD = MethodHandles.arrayElementVarHandle(long[].class);

  /** Pages by number; replaced by a longer copy when a page is added (the pages themselves never move). */
  private volatile long[][] pages = new long[0][];
  private int[] free = new int[16];
  private int freeCount;
  /** Slots given back with requests in flight: free once their count reaches 0. */
  private int[] lingering = new int[16];
  private int lingeringCount;
  private int used;

  /** The in-flight count held in {@code word} (its low 32 bits, without the closed bit). */
  public static int count(long word) {
    return (int) word & COUNT_MASK;
  }

  /** The pages as they are now: every slot taken so far is {@code pages()[slot >>> PAGE_SHIFT][slot & PAGE_MASK]}. */
  public long[][] pages() {
    return pages;
  }

  /** Takes a free slot and opens it with a new generation; returns the slot. */
  synchronized int take() {
    if (freeCount == 0 && lingeringCount > 0) {
      reclaimLingering();
    }
    int slot;
    if (freeCount > 0) {
      slot = free[--freeCount];
    } else {
      slot = used++;
      if (slot >>> PAGE_SHIFT >= pages.length) {
        long[][] grown = Arrays.copyOf(pages, pages.length + 1);
        grown[grown.length - 1] = new long[PAGE_SIZE];
        pages = grown;
      }
    }
    long[] page = pages[slot >>> PAGE_SHIFT];
    int i = slot & PAGE_MASK;
    long old = (long) WORD.getVolatile(page, i);
    WORD.setVolatile(page, i, (old & ~LOW) + GENERATION_ONE);
    return slot;
  }

  /**
   * Gives back the slot of a target that left (its word is closed: no request can start on it). With nothing in
   * flight it is free at once; otherwise when its last request has ended.
   */
  synchronized void giveBack(int slot) {
    if (count(word(slot)) == 0) {
      free = push(free, freeCount++, slot);
    } else {
      lingering = push(lingering, lingeringCount++, slot);
    }
  }

  /** Slots taken and not yet free again (targets in the group, and targets that left with requests in flight). */
  public synchronized int inUse() {
    return used - freeCount;
  }

  private void reclaimLingering() {
    int kept = 0;
    for (int k = 0; k < lingeringCount; k++) {
      int slot = lingering[k];
      if (count(word(slot)) == 0) {
        free = push(free, freeCount++, slot);
      } else {
        lingering[kept++] = slot;
      }
    }
    lingeringCount = kept;
  }

  private long word(int slot) {
    return (long) WORD.getVolatile(pages[slot >>> PAGE_SHIFT], slot & PAGE_MASK);
  }

  private static int[] push(int[] stack, int size, int value) {
    int[] s = size == stack.length ? Arrays.copyOf(stack, size * 2) : stack;
    s[size] = value;
    return s;
  }
}
