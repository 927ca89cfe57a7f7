package dev.loadstar.healthcheck.internal;

import dev.loadstar.core.TargetHealth;
import dev.loadstar.healthcheck.HealthCheck;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;

/**
 * The gRPC side of a {@code GRPC} health check: the request message and the verdict on the answer.
 *
 * <p>The request is one length-prefixed message with an empty body (for the standard health service, a
 * {@code HealthCheckRequest} with no service name: the server's overall health). The answer's {@code grpc-status}
 * (a trailer, or a header in a trailers-only answer) must match {@code Matcher.GrpcCode}. For the standard health
 * service, a status 0 answer must also carry a {@code HealthCheckResponse} whose {@code status} (field 1) is
 * {@code SERVING} (1); any other serving status fails the check with {@code Target.ResponseCodeMismatch}.
 */
final class GrpcProbe {

  static final String CONTENT_TYPE = "application/grpc";
  static final String TE = "te";
  static final String TRAILERS = "trailers";
  /** One uncompressed message of length 0: flag byte 0, then a 4-byte big-endian length of 0. */
  static final Buffer EMPTY_MESSAGE = Buffer.buffer(new byte[5]);
  private static final int SERVING = 1;
  private static final String[] SERVING_STATUS = {"UNKNOWN", "SERVING", "NOT_SERVING", "SERVICE_UNKNOWN"};

  private GrpcProbe() {
  }

  /** Null when the check passed, else the failure to record. */
  static TargetHealth verdict(HealthCheck hc, int httpStatus, MultiMap headers, MultiMap trailers, Buffer body) {
    String code = trailers.get("grpc-status");
    if (code == null) {
      code = headers.get("grpc-status");
    }
    if (code == null) {
      return mismatch("Health checks failed: HTTP " + httpStatus + " without grpc-status");
    }
    int grpcStatus;
    try {
      grpcStatus = Integer.parseInt(code.trim());
    } catch (NumberFormatException e) {
      return mismatch("Health checks failed: invalid grpc-status \"" + code + "\"");
    }
    if (!hc.matchesGrpc(grpcStatus)) {
      return mismatch("Health checks failed with these gRPC codes: [" + grpcStatus + "]");
    }
    if (grpcStatus == 0 && HealthCheck.GRPC_HEALTH_SERVICE_PATH.equals(hc.path())) {
      int serving = servingStatus(body);
      if (serving != SERVING) {
        String name = serving >= 0 && serving < SERVING_STATUS.length ? SERVING_STATUS[serving]
            : serving < 0 ? "no HealthCheckResponse" : Integer.toString(serving);
        return mismatch("Health checks failed: serving status " + name);
      }
    }
    return null;
  }

  private static TargetHealth mismatch(String description) {
    return TargetHealth.unhealthy(TargetHealth.Reason.TARGET_RESPONSE_CODE_MISMATCH, description);
  }

  /**
   * The {@code status} field of the first {@code HealthCheckResponse} message in the body: 0 (UNKNOWN) when the
   * message omits it, -1 when the body holds no complete message.
   */
  static int servingStatus(Buffer body) {
    if (body.length() < 5 || body.getByte(0) != 0) {
      return -1; // no message, or a compressed one (never requested)
    }
    long length = body.getUnsignedInt(1);
    if (length > body.length() - 5) {
      return -1;
    }
    int pos = 5;
    int end = 5 + (int) length;
    int status = 0;
    while (pos < end) {
      long[] tag = varint(body, pos, end);
      if (tag == null) {
        return -1;
      }
      pos = (int) tag[1];
      int field = (int) (tag[0] >>> 3);
      int wire = (int) (tag[0] & 7);
      if (wire == 0) {
        long[] v = varint(body, pos, end);
        if (v == null) {
          return -1;
        }
        pos = (int) v[1];
        if (field == 1) {
          status = (int) v[0];
        }
      } else if (wire == 2) {
        long[] len = varint(body, pos, end);
        if (len == null || len[0] > end - len[1]) {
          return -1;
        }
        pos = (int) (len[1] + len[0]);
      } else if (wire == 1) {
        pos += 8;
      } else if (wire == 5) {
        pos += 4;
      } else {
        return -1;
      }
    }
    return pos == end ? status : -1;
  }

  /** A varint at {@code pos}: {value, position after it}, or null when it runs past {@code end}. */
  private static long[] varint(Buffer b, int pos, int end) {
    long value = 0;
    for (int shift = 0; shift < 64 && pos < end; shift += 7) {
      byte x = b.getByte(pos++);
      value |= (long) (x & 0x7f) << shift;
      if (x >= 0) {
        return new long[] {value, pos};
      }
    }
    return null;
  }
}
