package dev.loadstar.healthcheck.internal;

import io.vertx.core.http.HttpClientConnection;
import io.vertx.core.http.HttpConnectOptions;
import java.util.ArrayDeque;

/**
 * An address HTTP checks go to, and the kept-alive connections to it that are idle: one shard's connection reuse
 * pool for that address (LIFO, never more connections than checks in flight to it). Confined to the shard.
 */
final class Endpoint {

  final String key;
  final HttpConnectOptions options;
  private final ArrayDeque<Conn> idle = new ArrayDeque<>();
  /** Followed targets checked at this address. */
  int users;

  Endpoint(String key, HttpConnectOptions options) {
    this.key = key;
    this.options = options;
  }

  /** The most recently used idle connection that is still open, or null. */
  Conn takeIdle() {
    while (!idle.isEmpty()) {
      Conn c = idle.pollLast();
      if (!c.closed) {
        return c;
      }
    }
    return null;
  }

  /** Keeps the connection for the next check, unless it closed or nobody checks this address any more. */
  void giveBack(Conn c) {
    if (!c.closed && users > 0) {
      idle.addLast(c);
    } else {
      c.close();
    }
  }

  void closeIdle() {
    Conn c;
    while ((c = idle.poll()) != null) {
      c.close();
    }
  }

  /** A connection opened by the checker. */
  static final class Conn {
    final HttpClientConnection connection;
    boolean closed;

    Conn(HttpClientConnection connection) {
      this.connection = connection;
      connection.closeHandler(v -> closed = true);
    }

    void close() {
      if (!closed) {
        closed = true;
        connection.close();
      }
    }
  }
}
