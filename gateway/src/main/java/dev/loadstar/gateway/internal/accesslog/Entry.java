package dev.loadstar.gateway.internal.accesslog;

import dev.loadstar.routing.RequestRecord;
import java.time.Instant;
import java.util.List;

/**
 * An immutable copy of a {@link RequestRecord}, taken on the listener's event loop (the record itself is not
 * thread-safe) and formatted later on the access log's writer thread.
 */
public record Entry(String type, Instant time, String listener, String clientIp, int clientPort, String target,
    long requestProcessingNanos, long targetProcessingNanos, long responseProcessingNanos, int statusCode,
    int targetStatusCode, long receivedBytes, long sentBytes, String method, String url, String protocolVersion,
    String userAgent, String sslCipher, String sslProtocol, String targetGroup, String traceId, String domainName,
    String chosenCertificate, int matchedRulePriority, Instant requestCreationTime, List<String> actionsExecuted,
    String redirectUrl, String errorReason, List<String> targets, List<Integer> targetStatusCodes,
    String classification, String classificationReason, String connectionTraceId) implements RequestRecord {

  /** Copies every field of {@code r}. */
  public static Entry of(RequestRecord r) {
    return new Entry(r.type(), r.time(), r.listener(), r.clientIp(), r.clientPort(), r.target(),
        r.requestProcessingNanos(), r.targetProcessingNanos(), r.responseProcessingNanos(), r.statusCode(),
        r.targetStatusCode(), r.receivedBytes(), r.sentBytes(), r.method(), r.url(), r.protocolVersion(),
        r.userAgent(), r.sslCipher(), r.sslProtocol(), r.targetGroup(), r.traceId(), r.domainName(),
        r.chosenCertificate(), r.matchedRulePriority(), r.requestCreationTime(), copy(r.actionsExecuted()),
        r.redirectUrl(), r.errorReason(), copy(r.targets()), copy(r.targetStatusCodes()), r.classification(),
        r.classificationReason(), r.connectionTraceId());
  }

  private static <T> List<T> copy(List<T> l) {
    return l == null || l.isEmpty() ? List.of() : List.copyOf(l);
  }
}
