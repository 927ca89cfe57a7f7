package dev.loadstar.samples.lab;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A user refreshing the gateway's page without pause: one GET at a time (the next one a few milliseconds after the
 * previous answer), each answer recorded with the instance id on the page and the step of the lab it belongs to.
 * Runs on its own Vert.x context; never blocks it.
 */
public final class LabClient {

  /**
   * One request's outcome.
   *
   * @param sequence the request's number, from 1
   * @param elapsed when the answer came, on the lab's timeline
   * @param step the lab step running when the request was sent
   * @param status the HTTP status, or 0 when no response came
   * @param instanceId the instance id on the page, or {@code null}
   * @param error what went wrong, or {@code null} for a 200 page naming an instance
   */
  public record Result(long sequence, Duration elapsed, String step, int status, String instanceId, String error) {

    /** Whether the request failed (anything but a 200 page with an instance id). */
    public boolean failed() {
      return error != null;
    }
  }

  private static final Pattern ID = Pattern.compile("<h1>(i-[0-9a-f]+)</h1>");

  private final Vertx vertx;
  private final Context context;
  private final HttpClient http;
  private final String host;
  private final int port;
  private final long pauseMs;
  private final Timeline timeline;
  private final List<Result> results = new ArrayList<>();
  private final Promise<Void> stopped = Promise.promise();
  private volatile String step = "";
  private volatile boolean stopping;
  private boolean started;

  /** A client of the gateway at {@code host:port} that pauses {@code pauseMs} between an answer and the next GET. */
  public LabClient(Vertx vertx, String host, int port, long pauseMs, Timeline timeline) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setConnectTimeout(5000));
    this.host = host;
    this.port = port;
    this.pauseMs = pauseMs;
    this.timeline = timeline;
  }

  /** Sets the step that the following requests are counted under. */
  public void step(String step) {
    this.step = step;
  }

  /** Starts sending; idempotent. */
  public synchronized void start() {
    if (!started) {
      started = true;
      context.runOnContext(v -> next());
    }
  }

  /** Stops sending; the future completes once the request in flight (if any) has been answered. */
  public Future<Void> stop() {
    stopping = true;
    synchronized (this) {
      if (!started) {
        stopped.tryComplete();
      }
    }
    return stopped.future();
  }

  /** Closes the HTTP client (after {@link #stop()}). */
  public Future<Void> close() {
    return stop().compose(v -> http.close());
  }

  private void next() {
    if (stopping) {
      stopped.tryComplete();
      return;
    }
    String stepNow = step;
    http.request(new RequestOptions().setMethod(HttpMethod.GET).setHost(host).setPort(port).setURI("/")
            .setIdleTimeout(5000))
        .compose(req -> req.send().compose(resp -> resp.body().map(body -> {
          Matcher m = ID.matcher(body.toString());
          String id = m.find() ? m.group(1) : null;
          String error = resp.statusCode() != 200 ? resp.statusCode() + " " + resp.statusMessage()
              : id == null ? "no instance id on the page" : null;
          return new Result(0, null, stepNow, resp.statusCode(), id, error);
        })))
        .otherwise(e -> new Result(0, null, stepNow, 0, null, String.valueOf(e.getMessage())))
        .onComplete(ar -> {
          Result r = ar.result();
          Result recorded;
          synchronized (results) {
            recorded = new Result(results.size() + 1, timeline.elapsed(), r.step(), r.status(), r.instanceId(),
                r.error());
            results.add(recorded);
          }
          if (recorded.failed()) {
            timeline.record("client", "GET / #" + recorded.sequence() + " failed: " + recorded.error());
          }
          if (stopping) {
            stopped.tryComplete();
          } else {
            vertx.setTimer(Math.max(1, pauseMs), t -> next());
          }
        });
  }

  /** How many answers were recorded so far. */
  public int count() {
    synchronized (results) {
      return results.size();
    }
  }

  /** The answers recorded from index {@code from} (0-based) on. */
  public List<Result> since(int from) {
    synchronized (results) {
      return new ArrayList<>(results.subList(Math.min(from, results.size()), results.size()));
    }
  }

  /** Every answer recorded. */
  public List<Result> results() {
    return since(0);
  }

  /** Failed requests sent during the step. */
  public long failures(String step) {
    return results().stream().filter(r -> r.step().equals(step) && r.failed()).count();
  }

  /** Requests sent during the step. */
  public long requests(String step) {
    return results().stream().filter(r -> r.step().equals(step)).count();
  }

  /** Every failed request. */
  public long failures() {
    return results().stream().filter(Result::failed).count();
  }
}
