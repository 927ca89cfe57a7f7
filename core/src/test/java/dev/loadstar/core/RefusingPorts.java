package dev.loadstar.core;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Ports on 127.0.0.1 that refuse connections until {@link #close}: each has a socket bound to it that never listens.
 * A port bound and released again (a closed server's) is free for any process on the machine to take, and Vert.x
 * completes a server's close a few milliseconds before the listening socket is gone, so such a port may still accept.
 */
public final class RefusingPorts implements AutoCloseable {

  private final List<Socket> held = new CopyOnWriteArrayList<>();

  /** Reserves one more refusing port. */
  public int next() {
    Socket s = new Socket();
    try {
      s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    held.add(s);
    return s.getLocalPort();
  }

  /** Releases every port. */
  @Override
  public void close() {
    for (Socket s : held) {
      try {
        s.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    held.clear();
  }
}
