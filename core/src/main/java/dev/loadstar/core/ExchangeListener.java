package dev.loadstar.core;

/**
 * Observes requests and their attempts as a front end (the client, a listener) sends them through an
 * {@link AttemptEngine}, in the spirit of OkHttp's {@code EventListener}: one listener per exchange, made by a
 * {@link Factory}; paired start and end events per attempt carry the target, the outcome and the timing.
 *
 * <p>Statistics, metrics, access logs and tracing hang here. Passive health does not need to: every attempt ends
 * with {@link RegisteredTarget#endRequest}, which the group reports to its {@link TargetGroupListener}s whoever the
 * front end is, so a health checker sees every attempt without being wired into each front end.
 *
 * <p>Events of one exchange arrive in order, on the thread of the front end that drives it. Listeners must not
 * block and should not throw (an exception is logged and ignored). Every method has a no-op default.
 */
public interface ExchangeListener {

  /** A listener that does nothing. */
  ExchangeListener NONE = new ExchangeListener() {
  };

  /** Makes the listener of each exchange; a stateless listener's factory returns the same instance every time. */
  @FunctionalInterface
  interface Factory {

    /** The factory of no listener. */
    Factory NONE = exchange -> ExchangeListener.NONE;

    /** The listener of a new exchange (called before its first event). */
    ExchangeListener create(Exchange exchange);

    /** A factory returning {@code listener} for every exchange. */
    static Factory of(ExchangeListener listener) {
      return exchange -> listener;
    }
  }

  /** An attempt started: {@link Exchange#target()} is counted in flight, {@link Exchange#attempt()} is its number. */
  default void attemptStarted(Exchange exchange) {
  }

  /**
   * The current attempt is about to be sent with these request headers (mutable): tracing injects its context here
   * ({@code traceparent}). Not called for function targets or TCP connections.
   */
  default void beforeSend(Exchange exchange, io.vertx.core.MultiMap headers) {
  }

  /**
   * The current attempt ended: with a response ({@code failure} null, {@code statusCode} the target's status; 0 for a
   * connection-level front end), with a failure, or cancelled by the caller ({@link RequestOutcome#CANCELLED}).
   */
  default void attemptEnded(Exchange exchange, RequestOutcome outcome, FailureKind failure, int statusCode,
      long latencyNanos) {
  }

  /** The exchange ended (the front end answered, or gave up); {@code statusCode} is what it answered, 0 for none. */
  default void exchangeEnded(Exchange exchange, int statusCode) {
  }
}
