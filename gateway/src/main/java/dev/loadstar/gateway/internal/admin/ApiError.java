package dev.loadstar.gateway.internal.admin;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.NoSuchElementException;

/** An admin API error answer: a status, a code and a message, written as {@code {"error": code, "message": ...}}. */
public final class ApiError extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private static final System.Logger LOG = System.getLogger(ApiError.class.getName());

  private final int status;
  private final String code;
  private final String allow;

  /** An error with this status, code and message. */
  public ApiError(int status, String code, String message) {
    this(status, code, message, null);
  }

  private ApiError(int status, String code, String message, String allow) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
    this.allow = allow;
  }

  /** The status code. */
  public int status() {
    return status;
  }

  /** The error code ({@code TargetGroupNotFound}, ...). */
  public String code() {
    return code;
  }

  /** 405 naming the allowed methods (also sent as {@code Allow}). */
  public static ApiError methodNotAllowed(String method, String allowed) {
    return new ApiError(405, "MethodNotAllowed", method + " is not allowed here (allowed: " + allowed + ")", allowed);
  }

  /** 404 for a path no route serves. */
  public static ApiError notFound(RoutingContext ctx) {
    return new ApiError(404, "NotFound", "no such endpoint: " + ctx.request().method() + " " + ctx.request().path()
        + " (GET /api lists them)");
  }

  /** The answer to a failed change: 404, 400 or 409 with the failure's message; 500 without it (it is logged). */
  public static ApiError of(Throwable t) {
    if (t instanceof ApiError e) {
      return e;
    }
    if (t instanceof NoSuchElementException) {
      return new ApiError(404, "InstanceNotFound", t.getMessage());
    }
    if (t instanceof IllegalArgumentException) {
      return new ApiError(400, "ValidationError", t.getMessage());
    }
    if (t instanceof IllegalStateException) {
      return new ApiError(409, "Conflict", t.getMessage());
    }
    return internal(t, "a change");
  }

  /** 500 with a fixed message: the exception, which may name internals, goes to the log only. */
  public static ApiError internal(Throwable t, String what) {
    LOG.log(System.Logger.Level.ERROR, "admin API failed on " + what, t);
    return new ApiError(500, "InternalError", "the admin API failed; the gateway's log has the details");
  }

  /** The answer for a routing context that failed: this error, a status set by a handler, or 500. */
  public static ApiError of(RoutingContext ctx) {
    Throwable f = ctx.failure();
    if (f instanceof ApiError e) {
      return e;
    }
    int status = ctx.statusCode();
    if (f instanceof io.vertx.ext.web.handler.HttpException h) {
      status = h.getStatusCode();
    }
    switch (status) {
      case 400:
        return new ApiError(400, "BadRequest", "the request is malformed (expected: a path with valid %-escapes "
            + "and a well-formed request)");
      case 413:
        return new ApiError(413, "PayloadTooLarge", "the body is larger than " + AdminRoutes.MAX_BODY_BYTES
            + " bytes");
      default:
        return internal(f, ctx.request().method() + " " + ctx.request().path());
    }
  }

  /**
   * Writes this error as the response, unless one was already sent. A request whose body has not been read (refused
   * before it, or too large) gets {@code Connection: close} and its connection is closed once the answer is out, so an
   * unread body is never drained nor buffered.
   */
  public void write(RoutingContext ctx) {
    HttpServerResponse response = ctx.response();
    if (response.ended() || response.closed() || response.headWritten()) {
      return;
    }
    if (allow != null) {
      response.putHeader("Allow", allow);
    }
    boolean unread = !ctx.request().isEnded();
    if (unread) {
      response.putHeader("Connection", "close");
    }
    response.setStatusCode(status).putHeader("content-type", "application/json")
        .end(AdminJson.error(code, getMessage()).encodePrettily())
        .onComplete(ar -> {
          if (unread) {
            ctx.request().connection().close();
          }
        });
  }
}
