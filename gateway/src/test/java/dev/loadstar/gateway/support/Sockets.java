package dev.loadstar.gateway.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/** Blocking socket checks for tests. */
public final class Sockets {

  private Sockets() {
  }

  /** Whether something accepts connections on 127.0.0.1:port (within a second). */
  public static boolean accepts(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
