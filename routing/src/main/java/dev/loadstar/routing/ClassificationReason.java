package dev.loadstar.routing;

import static dev.loadstar.routing.RequestClassification.ACCEPTABLE;
import static dev.loadstar.routing.RequestClassification.AMBIGUOUS;
import static dev.loadstar.routing.RequestClassification.SEVERE;

/**
 * Why a request is not {@link RequestClassification#COMPLIANT} (the {@code classification_reason} field of ALB's
 * access log). The names are ALB's where ALB has one; {@link #BAD_HOST} and {@link #INVALID_HEADER_NAME} are
 * Loadstar's. The table in docs/architecture.md ("Request validation and desync mitigation") lists what each one
 * means and what the listener does.
 */
public enum ClassificationReason {
  /** A header value holds a control character (NUL, CR, LF, ...), or a name a control character, space or non-ASCII. */
  BAD_HEADER("BadHeader", SEVERE),
  /** The request target cannot be normalised safely (control characters, {@code %00}, a backslash, ...). */
  BAD_URI("BadUri", SEVERE),
  /** A Host that is missing (HTTP/1.1), repeated or not a valid {@code host[:port]}. */
  BAD_HOST("BadHost", SEVERE),
  /** A Content-Length that is not a number. */
  BAD_CONTENT_LENGTH("BadContentLength", SEVERE),
  /** A Transfer-Encoding other than exactly {@code chunked}, or one on an HTTP/1.0 request. */
  BAD_TRANSFER_ENCODING("BadTransferEncoding", SEVERE),
  /** Several Transfer-Encoding headers, each {@code chunked}. */
  MULTIPLE_TRANSFER_ENCODING_CHUNKED("MultipleTransferEncodingChunked", SEVERE),
  /** Several Content-Length headers with different values. */
  MULTIPLE_CONTENT_LENGTH("MultipleContentLength", SEVERE),
  /**
   * Both Transfer-Encoding and Content-Length (ALB: ambiguous; Loadstar: severe). On HTTP/1.1 the decoder removes the
   * Content-Length first (RFC 9112 6.3), so the listener sees chunked alone and forwards it so.
   */
  BOTH_TE_CL_PRESENT("BothTeClPresent", SEVERE),
  /** Several Content-Length headers with the same value. */
  DUPLICATE_CONTENT_LENGTH("DuplicateContentLength", AMBIGUOUS),
  /** A Content-Length above 0 on a GET or HEAD request. */
  UNDEFINED_CONTENT_LENGTH_SEMANTICS("UndefinedContentLengthSemantics", AMBIGUOUS),
  /** A Transfer-Encoding on a GET or HEAD request. */
  UNDEFINED_TRANSFER_ENCODING_SEMANTICS("UndefinedTransferEncodingSemantics", AMBIGUOUS),
  /** A header that reads as Transfer-Encoding or Content-Length once {@code _} is taken for {@code -}. */
  SUSPICIOUS_HEADER("SuspiciousHeader", AMBIGUOUS),
  /** A header name that is not an RFC 9110 token (kept out of the forwarded request). */
  INVALID_HEADER_NAME("InvalidHeaderName", AMBIGUOUS),
  /** A header value with a byte outside ASCII (obs-text). */
  NON_COMPLIANT_HEADER("NonCompliantHeader", ACCEPTABLE),
  /** {@code Content-Length: 0} on a GET or HEAD request. */
  GET_HEAD_ZERO_CONTENT_LENGTH("GetHeadZeroContentLength", ACCEPTABLE);

  private final String albName;
  private final RequestClassification classification;

  ClassificationReason(String albName, RequestClassification classification) {
    this.albName = albName;
    this.classification = classification;
  }

  /** The name as ALB's access log writes it ({@code BothTeClPresent}, ...). */
  public String albName() {
    return albName;
  }

  /** The class a request with this reason falls in. */
  public RequestClassification classification() {
    return classification;
  }
}
