package dev.loadstar.routing.internal.gateway;

/** The listener's own error responses, shaped like ALB's. */
final class ErrorPages {

  private ErrorPages() {
  }

  /** The reason phrase, including ALB's non-standard codes. */
  static String reason(int status) {
    switch (status) {
      case 400: return "Bad Request";
      case 403: return "Forbidden";
      case 404: return "Not Found";
      case 405: return "Method Not Allowed";
      case 460: return "Client Closed Request";
      case 463: return "X-Forwarded-For Header Too Long";
      case 464: return "Incompatible Protocol";
      case 500: return "Internal Server Error";
      case 502: return "Bad Gateway";
      case 503: return "Service Temporarily Unavailable";
      case 504: return "Gateway Time-out";
      default: return io.netty.handler.codec.http.HttpResponseStatus.valueOf(status).reasonPhrase();
    }
  }

  /** The HTML body for a status. */
  static String body(int status) {
    String title = status + " " + reason(status);
    return "<html>\r\n<head><title>" + title + "</title></head>\r\n<body>\r\n<center><h1>" + title
        + "</h1></center>\r\n</body>\r\n</html>\r\n";
  }
}
