package dev.loadstar.routing.internal.gateway;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;

/** Reads a request body whole, up to a limit enforced while it streams (never buffering more than the limit). */
final class BodyReader {

  private BodyReader() {
  }

  /** The body was longer than the limit (answered 413). */
  static final class TooLarge extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TooLarge(int limit) {
      super("request body over " + limit + " bytes", null, false, false);
    }
  }

  /** The whole body, or a failure: {@link TooLarge} past {@code limit} bytes, the stream's failure otherwise. */
  static Future<Buffer> read(HttpServerRequest req, int limit) {
    Promise<Buffer> result = Promise.promise();
    String length = req.getHeader("content-length");
    if (length != null) {
      try {
        if (Long.parseLong(length.trim()) > limit) {
          result.fail(new TooLarge(limit));
          return result.future();
        }
      } catch (NumberFormatException e) {
        // the server's decoder refuses malformed lengths before the request gets here
      }
    }
    Buffer body = Buffer.buffer();
    req.handler(chunk -> {
      if (result.future().isComplete()) {
        return;
      }
      if (body.length() + chunk.length() > limit) {
        result.tryFail(new TooLarge(limit));
        return;
      }
      body.appendBuffer(chunk);
    });
    req.exceptionHandler(result::tryFail);
    req.endHandler(v -> result.tryComplete(body));
    req.resume();
    return result.future();
  }
}
