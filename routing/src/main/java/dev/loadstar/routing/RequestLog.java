package dev.loadstar.routing;

/**
 * Receives a record of every request an {@link HttpListener} handled, once its response has been sent (or its client
 * went away): what ALB's access log entry holds. Called on the listener's event loop: it must not block (hand the
 * record to a bounded queue and write elsewhere) and should not throw (an exception is logged and ignored).
 */
@FunctionalInterface
public interface RequestLog {

  /** One finished request. The record must not be kept beyond the call unless copied: it is not thread-safe. */
  void log(RequestRecord record);
}
