package dev.loadstar.core;

import java.util.List;

/**
 * One request (or one TCP connection) to a target group and its attempts, made by an {@link AttemptEngine}.
 *
 * <p>A front end drives it: {@link #start()} picks the target of the next attempt and counts it (and every target
 * on its nested route) in flight; the front end sends to {@link #host()}:{@link #port()} or calls
 * {@link #function()}; it reports the response head ({@link #responseHead}) and ends the attempt exactly once with
 * {@link #succeeded}, {@link #failed} or {@link #cancelled}. After a failure, {@link #start()} again either starts
 * a retry or says why there is none. {@link #finish} ends the exchange. One owner at a time; attempts run one after
 * another.
 *
 * <p>The exchange is also the {@link SelectionContext} of its selections (hash key, zone), so balancing a request
 * allocates nothing but the exchange.
 */
public final class Exchange implements SelectionContext {

  /** What {@link #start()} found. */
  public enum Step {
    /** An attempt started: send it. */
    ATTEMPT,
    /** The group had no target for the first attempt (ALB's 503). */
    NO_TARGET,
    /** The last failure may not be retried (see {@link RetryPolicy}). */
    NOT_RETRYABLE,
    /** The attempt limit is reached. */
    ATTEMPT_LIMIT,
    /** Every target that may take a request was tried. */
    NO_UNTRIED_TARGET,
    /** The retry budget allows no retry now. */
    RETRY_BUDGET_EXHAUSTED;

    /** Whether an attempt started. */
    public boolean started() {
      return this == ATTEMPT;
    }
  }

  /** How many times a selection is repeated when the selected target left the group before the request started. */
  private static final int START_TRIES = 16;
  /** The deepest nesting of balancer targets followed (loops are refused at configuration; this bounds a race). */
  public static final int MAX_DEPTH = 8;

  private final AttemptEngine engine;
  private final TargetGroup group;
  private final ExchangeListener listener;
  private final RetryPolicy policy;
  private boolean idempotent;
  private boolean networkOnly;
  private String stickyCookie;
  private String sessionKey;
  private boolean hasHashKey;
  private long hashKey;
  private String zone;

  private final RegisteredTarget[] tried;
  /** Per attempt: the target that served it (after nested balancers) and its response status (0 for none). */
  private final RegisteredTarget[] served;
  private final int[] statuses;
  private int attempts;
  /** Targets of the current attempt's route below the first (nested balancers), or null while there were none. */
  private RegisteredTarget[] nested;
  private int depth;
  private long attemptStartNanos;
  private boolean inFlight;
  private boolean responseStarted;
  private int statusCode;
  private FailureKind lastFailure;
  private boolean retryable;
  private boolean replayable = true;
  private boolean finished;
  private Runnable drainCut;
  private Runnable drainHandle;
  private volatile boolean drainTimedOut;

  Exchange(AttemptEngine engine, TargetGroup group, boolean idempotent) {
    this.engine = engine;
    this.group = group;
    this.policy = engine.policy();
    this.idempotent = idempotent;
    this.zone = engine.zone();
    this.tried = new RegisteredTarget[policy.maxAttempts()];
    this.served = new RegisteredTarget[policy.maxAttempts()];
    this.statuses = new int[policy.maxAttempts()];
    this.listener = engine.listeners().create(this);
  }

  Exchange networkOnly() {
    this.networkOnly = true;
    return this;
  }

  // ---- settings (before the first attempt) ------------------------------------------------------------------------

  /** Overrides the idempotency of the method (a POST known to be safe to repeat, say). */
  public Exchange idempotent(boolean idempotent) {
    this.idempotent = idempotent;
    return this;
  }

  /** The balancer's sticky cookie value sent by the client, or null: a valid one naming a usable target wins. */
  public Exchange stickyCookie(String value) {
    this.stickyCookie = value;
    return this;
  }

  /** A client-side session key: requests with one key stay on one target while it can take them. */
  public Exchange sessionKey(String key) {
    this.sessionKey = key;
    return this;
  }

  /** The consistent-hashing key of the request (its 64-bit hash, see {@link SelectionContext#ofKey}). */
  public Exchange hashKey(long hash) {
    this.hasHashKey = true;
    this.hashKey = hash;
    return this;
  }

  /** The consistent-hashing key of the request, hashed as {@link SelectionContext#ofKey} does; null clears it. */
  public Exchange hashKey(String key) {
    if (key == null) {
      this.hasHashKey = false;
      return this;
    }
    return hashKey(SelectionContext.ofKey(key).hashKey());
  }

  /**
   * Runs {@code cut} (once, on a Vert.x thread of the group) if the current attempt's target leaves the group
   * because its deregistration delay elapsed with the attempt in flight: the front end should then reset what it
   * sent (hop to its own context first); the attempt's failure then classifies as {@link FailureKind#DEREGISTERED}.
   * Set once per exchange, before {@link #start()}; it applies to every attempt.
   */
  public Exchange onDrainTimeout(Runnable cut) {
    this.drainCut = cut;
    return this;
  }

  // ---- SelectionContext --------------------------------------------------------------------------------------------

  @Override
  public boolean hasHashKey() {
    return hasHashKey;
  }

  @Override
  public long hashKey() {
    return hashKey;
  }

  @Override
  public String zone() {
    return zone;
  }

  // ---- attempts --------------------------------------------------------------------------------------------------

  /**
   * Starts the next attempt. The first takes the sticky cookie's target, else the session key's, else the group's
   * selection; a retry takes the untried target with the fewest requests in flight (ties broken by rotation; a
   * weight-0 target only when every routable one has weight 0), if the policy allows one. A nested balancer target
   * is followed down to the target that serves; a route that ends nowhere (a nested group with no target, a nested
   * listener not listening) fails as {@link FailureKind#NESTED_UNAVAILABLE} and the next target is tried at once.
   */
  public Step start() {
    if (inFlight) {
      throw new IllegalStateException("exchange: an attempt is in flight (expected: end it before starting another)");
    }
    for (;;) {
      RegisteredTarget first;
      boolean firstAttempt = attempts == 0;
      if (firstAttempt) {
        first = firstTarget();
        if (first == null) {
          return Step.NO_TARGET;
        }
      } else {
        if (!retryable) {
          return Step.NOT_RETRYABLE;
        }
        if (attempts >= tried.length) {
          return Step.ATTEMPT_LIMIT;
        }
        RegisteredTarget candidate = untriedTarget();
        if (candidate == null) {
          return Step.NO_UNTRIED_TARGET;
        }
        if (!lastFailure.nothingSent() && !engine.budget().tryRetry()) {
          return Step.RETRY_BUDGET_EXHAUSTED;
        }
        first = startUntried(candidate);
        if (first == null) {
          return Step.NO_UNTRIED_TARGET;
        }
      }
      tried[attempts++] = first;
      depth = 1;
      inFlight = true;
      responseStarted = false;
      statusCode = 0;
      drainTimedOut = false;
      attemptStartNanos = engine.time().nanoTime();
      if (firstAttempt) {
        engine.budget().onRequest(attemptStartNanos); // one clock reading for both
      }
      if (descend()) {
        if (drainCut != null) {
          drainHandle = first.onDrainTimeout(this::drainElapsed);
        }
        notifyStarted();
        return Step.ATTEMPT;
      }
      // nothing was sent: end the route and go on to another target
      notifyStarted();
      failed(FailureKind.NESTED_UNAVAILABLE);
    }
  }

  private void drainElapsed() {
    drainTimedOut = true;
    drainCut.run();
  }

  /** The first attempt's target, counted in flight, or null when the group has none to offer. */
  private RegisteredTarget firstTarget() {
    if (stickyCookie != null && group.config().stickiness().enabled()) {
      RegisteredTarget t = group.stickySessions().resolve(stickyCookie, this);
      if (t != null && accepts(t) && t.tryStartRequest()) {
        return t;
      }
    }
    for (int i = 0; i < START_TRIES; i++) {
      RegisteredTarget t = sessionKey != null ? group.stickySessions().selectForSession(sessionKey, this)
          : group.select(this);
      if (t == null) {
        return null;
      }
      if (accepts(t) && t.tryStartRequest()) {
        return t;
      }
    }
    return null;
  }

  private boolean accepts(RegisteredTarget t) {
    return !networkOnly || t.target().kind() != Target.Kind.FUNCTION;
  }

  /** The least-loaded untried target that may take a request now, or null. */
  private RegisteredTarget untriedTarget() {
    List<RegisteredTarget> all = group.targets();
    int n = all.size();
    if (n == 0) {
      return null;
    }
    int offset = engine.nextRotation();
    RegisteredTarget best = null;
    RegisteredTarget bestWeightless = null;
    boolean anyWeighted = false;
    for (int k = 0; k < n; k++) {
      RegisteredTarget t = all.get(Math.floorMod(offset + k, n));
      if (!accepts(t) || group.routableTarget(t.target().id(), this) != t) {
        continue;
      }
      boolean weighted = t.target().weight() > 0;
      anyWeighted |= weighted;
      if (wasTried(t)) {
        continue;
      }
      if (weighted) {
        if (best == null || t.inFlight() < best.inFlight()) {
          best = t;
        }
      } else if (bestWeightless == null || t.inFlight() < bestWeightless.inFlight()) {
        bestWeightless = t;
      }
    }
    // weight 0 takes no new requests, retries included, unless every routable target has weight 0
    return anyWeighted ? best : bestWeightless;
  }

  private RegisteredTarget startUntried(RegisteredTarget candidate) {
    RegisteredTarget t = candidate;
    for (int i = 0; t != null && i < START_TRIES; i++) {
      if (t.tryStartRequest()) {
        return t;
      }
      t = untriedTarget();
    }
    return null;
  }

  private boolean wasTried(RegisteredTarget t) {
    for (int i = 0; i < attempts; i++) {
      if (tried[i] == t) {
        return true;
      }
    }
    return false;
  }

  /** Follows balancer targets delegating to target groups; false when a nested group had nothing to offer. */
  private boolean descend() {
    for (;;) {
      Target t = server().target();
      if (t.kind() != Target.Kind.BALANCER) {
        return true;
      }
      if (!(t.balancer() instanceof TargetGroup nestedGroup)) {
        return t.balancer().address() != null; // a listener: reached at its address while it listens
      }
      if (depth == MAX_DEPTH) {
        return false;
      }
      RegisteredTarget next = null;
      for (int i = 0; i < START_TRIES && next == null; i++) {
        RegisteredTarget c = nestedGroup.select(this);
        if (c == null) {
          break;
        }
        if ((!networkOnly || c.target().kind() != Target.Kind.FUNCTION) && c.tryStartRequest()) {
          next = c;
        }
      }
      if (next == null) {
        return false;
      }
      if (nested == null) {
        nested = new RegisteredTarget[MAX_DEPTH - 1];
      }
      nested[depth++ - 1] = next;
    }
  }

  private void notifyStarted() {
    try {
      listener.attemptStarted(this);
    } catch (RuntimeException e) {
      log("attemptStarted", e);
    }
  }

  // ---- the current attempt -------------------------------------------------------------------------------------

  /** The target group. */
  public TargetGroup group() {
    return group;
  }

  /** The current (or last) attempt's number, 1 for the first; 0 before any. */
  public int attempt() {
    return attempts;
  }

  /** The target the group selected for the current (or last) attempt: the one a sticky cookie names. */
  public RegisteredTarget target() {
    return attempts == 0 ? null : tried[attempts - 1];
  }

  /** The target that serves the current attempt: {@link #target()}, or the innermost target of a nested route. */
  public RegisteredTarget server() {
    return depth <= 1 ? target() : nested[depth - 2];
  }

  /** How many targets the current route passes (1 without nested balancers). */
  public int depth() {
    return depth;
  }

  /** The handler when the serving target is a function target, else null. */
  public TargetFunction function() {
    return server().target().function();
  }

  /** The host to send to: the serving target's, or its listener's while it listens; null for a function target. */
  public String host() {
    Target t = server().target();
    if (t.kind().isNetwork()) {
      return t.host();
    }
    io.vertx.core.net.SocketAddress a = t.kind() == Target.Kind.BALANCER ? t.balancer().address() : null;
    return a == null ? null : a.host();
  }

  /** The port to send to (see {@link #host()}); -1 for a function target. */
  public int port() {
    Target t = server().target();
    if (t.kind().isNetwork()) {
      return t.port();
    }
    io.vertx.core.net.SocketAddress a = t.kind() == Target.Kind.BALANCER ? t.balancer().address() : null;
    return a == null ? -1 : a.port();
  }

  /** The target that served attempt {@code i} (0-based, below {@link #attempt()}) once it ended, else null. */
  public RegisteredTarget attemptServer(int i) {
    return served[i];
  }

  /** The response status of attempt {@code i} (0-based) once it ended, 0 when it got no response. */
  public int attemptStatus(int i) {
    return statuses[i];
  }

  /** Whether the current attempt was started and has not ended. */
  public boolean inFlight() {
    return inFlight;
  }

  /** The current attempt's start, in the engine's {@link dev.loadstar.core.time.TimeSource#nanoTime()}. */
  public long attemptStartNanos() {
    return attemptStartNanos;
  }

  /** The status of the current attempt's response head, 0 before one arrived. */
  public int statusCode() {
    return statusCode;
  }

  /** The last attempt's failure, or null when none failed. */
  public FailureKind lastFailure() {
    return lastFailure;
  }

  /** Whether the request is treated as idempotent. */
  public boolean isIdempotent() {
    return idempotent;
  }

  /** The engine that made this exchange. */
  public AttemptEngine engine() {
    return engine;
  }

  /** Whether a listener observes this exchange (else {@link #beforeSend} has nothing to call). */
  public boolean observed() {
    return listener != ExchangeListener.NONE;
  }

  /** Lets the exchange's listener see (and add to) the headers of the current attempt before it is sent. */
  public void beforeSend(io.vertx.core.MultiMap headers) {
    try {
      listener.beforeSend(this, headers);
    } catch (RuntimeException e) {
      log("beforeSend", e);
    }
  }

  /**
   * Classifies a failure of the current attempt ({@link FailureKind#classify}); {@link FailureKind#DEREGISTERED}
   * when the attempt was cut because its target's deregistration delay elapsed.
   */
  public FailureKind classify(Throwable failure, boolean connected) {
    return drainTimedOut ? FailureKind.DEREGISTERED : FailureKind.classify(failure, connected);
  }

  /**
   * The target's response head arrived with {@code status}: from now on the attempt is not retried whatever
   * happens (part of the response may already be on its way to the client).
   */
  public void responseHead(int status) {
    this.statusCode = status;
    this.responseStarted = true;
  }

  /**
   * Whether a retry could still send the request body: false once the body was read from the client and not kept
   * (a streamed upload). A retry after a lost connection needs it; a retry after a connection failure does not
   * consume it either way.
   */
  public void replayable(boolean replayable) {
    this.replayable = replayable;
  }

  /** Ends the current attempt with the target's response ({@code status}: 5xx counts as a failure; 0 for TCP). */
  public void succeeded(int status) {
    if (status > 0) {
      statusCode = status;
      responseStarted = true;
    }
    end(status >= 500 ? RequestOutcome.TARGET_5XX : RequestOutcome.SUCCESS, null);
  }

  /**
   * Ends the current attempt with a failure. Returns whether a retry is allowed by the policy (whether it happens
   * depends on what {@link #start()} finds).
   */
  public boolean failed(FailureKind kind) {
    lastFailure = kind;
    retryable = !responseStarted && kind != FailureKind.DEREGISTERED && (kind.nothingSent()
        || kind.connectionLost() && idempotent && replayable && policy.retryOnConnectionLoss());
    end(kind.outcome(), kind);
    return retryable && attempts < tried.length;
  }

  /** Ends the current attempt because the caller went away: the target is not to blame. */
  public void cancelled() {
    retryable = false;
    end(RequestOutcome.CANCELLED, null);
  }

  private void end(RequestOutcome outcome, FailureKind failure) {
    if (!inFlight) {
      return;
    }
    inFlight = false;
    if (drainHandle != null) {
      drainHandle.run();
      drainHandle = null;
    }
    long latency = engine.time().nanoTime() - attemptStartNanos;
    // connect failures say nothing about latency; neither does a cancelled attempt
    long recorded = outcome == RequestOutcome.CONNECT_FAILURE || outcome == RequestOutcome.CANCELLED ? 0 : latency;
    for (int i = depth - 1; i >= 1; i--) {
      nested[i - 1].endRequest(outcome, recorded);
    }
    target().endRequest(outcome, recorded);
    served[attempts - 1] = server();
    statuses[attempts - 1] = statusCode;
    try {
      listener.attemptEnded(this, outcome, failure, statusCode, latency);
    } catch (RuntimeException e) {
      log("attemptEnded", e);
    }
  }

  /**
   * Ends the exchange: {@code statusCode} is what the front end answered (the target's status, its own error
   * status, or 0 when there was no answer). Ends an attempt still in flight as cancelled. Later calls do nothing.
   */
  public void finish(int statusCode) {
    if (finished) {
      return;
    }
    if (inFlight) {
      cancelled();
    }
    finished = true;
    try {
      listener.exchangeEnded(this, statusCode);
    } catch (RuntimeException e) {
      log("exchangeEnded", e);
    }
  }

  /** Whether {@link #finish} was called. */
  public boolean isFinished() {
    return finished;
  }

  private static void log(String event, RuntimeException e) {
    System.getLogger(ExchangeListener.class.getName()).log(System.Logger.Level.WARNING,
        "exchange listener failed on " + event, e);
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("Exchange{").append(group.name()).append(", attempt ").append(attempts);
    if (attempts > 0) {
      b.append(", ").append(target().target().id());
      for (int i = 1; i < depth; i++) {
        b.append(" -> ").append(nested[i - 1].group().name()).append('/').append(nested[i - 1].target().id());
      }
    }
    return b.append('}').toString();
  }
}
