package dev.loadstar.samples.lab;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * What happened in the lab, in order, with the time since the lab started: launches, registrations, health checks and
 * health transitions, scaling activities, commands. Thread-safe; subscribers (the console printer, later a dashboard)
 * are called under the timeline's lock, so they see events one at a time in order and must not block.
 */
public final class Timeline {

  /**
   * One timeline entry.
   *
   * @param sequence the entry's number, from 1
   * @param elapsed the time since the timeline started
   * @param kind a short category ({@code launch}, {@code health}, {@code check}, {@code activity}, ...)
   * @param text what happened
   */
  public record Event(long sequence, Duration elapsed, String kind, String text) {

    /** The entry as the console prints it: {@code [+   1.234s] health     text}. */
    public String format() {
      long ms = elapsed.toMillis();
      return String.format("[+%4d.%03ds] %-9s %s", ms / 1000, ms % 1000, kind, text);
    }
  }

  /** How many recent entries {@link #recent()} keeps. */
  public static final int HISTORY = 1000;

  private final long startNanos = System.nanoTime();
  private final List<Consumer<Event>> subscribers = new CopyOnWriteArrayList<>();
  private final ArrayDeque<Event> history = new ArrayDeque<>();
  private long sequence;

  /** A timeline starting now. */
  public Timeline() {
  }

  /** A timeline starting now that prints every entry to {@code out}. */
  public static Timeline printingTo(PrintStream out) {
    Timeline t = new Timeline();
    t.subscribe(e -> {
      out.println(e.format());
      out.flush();
    });
    return t;
  }

  /** The time since the timeline started. */
  public Duration elapsed() {
    return Duration.ofNanos(System.nanoTime() - startNanos);
  }

  /** Records an entry and hands it to every subscriber; returns it. */
  public synchronized Event record(String kind, String text) {
    Event e = new Event(++sequence, elapsed(), Objects.requireNonNull(kind, "kind"), Objects.requireNonNull(text, "text"));
    history.addLast(e);
    if (history.size() > HISTORY) {
      history.removeFirst();
    }
    for (Consumer<Event> s : subscribers) {
      try {
        s.accept(e);
      } catch (RuntimeException ex) {
        // a subscriber's failure must not stop the lab
      }
    }
    return e;
  }

  /** Adds a subscriber for later entries; returns a handle that removes it. */
  public Runnable subscribe(Consumer<Event> subscriber) {
    Objects.requireNonNull(subscriber, "subscriber");
    subscribers.add(subscriber);
    return () -> subscribers.remove(subscriber);
  }

  /** The most recent entries (up to {@value #HISTORY}), oldest first. */
  public synchronized List<Event> recent() {
    return new ArrayList<>(history);
  }
}
