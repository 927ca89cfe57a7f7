package dev.loadstar.scaling;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/** A tiny web server for the process provider's tests: serves {@code <h1>instance id</h1>} on LOADSTAR_PORT. */
public final class TinyHttpServer {

  private TinyHttpServer() {
  }

  /** Starts the server and runs until terminated. */
  public static void main(String[] args) throws Exception {
    String id = System.getenv("LOADSTAR_INSTANCE_ID");
    int port = Integer.parseInt(System.getenv("LOADSTAR_PORT"));
    byte[] body = ("<h1>" + id + "</h1>").getBytes(StandardCharsets.UTF_8);
    HttpServer server = HttpServer.create(new InetSocketAddress(System.getenv("LOADSTAR_HOST"), port), 16);
    server.createContext("/", ex -> {
      ex.getResponseHeaders().add("content-type", "text/html");
      String zone = System.getenv("LOADSTAR_ZONE");
      if (zone != null) {
        ex.getResponseHeaders().add("x-zone", zone);
      }
      ex.sendResponseHeaders(200, body.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
  }
}
