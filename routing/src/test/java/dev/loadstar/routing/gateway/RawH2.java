package dev.loadstar.routing.gateway;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * An HTTP/2 client over cleartext with prior knowledge that writes its frames by hand, so that it can send header
 * blocks a real client refuses to build (CR, LF or NUL in a value, upper-case names, broken pseudo-headers). Header
 * fields are HPACK literals without indexing and without Huffman coding; responses are decoded with Netty's decoder.
 */
final class RawH2 implements AutoCloseable {

  static final int DATA = 0x0;
  static final int HEADERS = 0x1;
  static final int RST_STREAM = 0x3;
  static final int SETTINGS = 0x4;
  static final int PING = 0x6;
  static final int GOAWAY = 0x7;
  static final int WINDOW_UPDATE = 0x8;

  /** How the listener answered one stream. */
  record Answer(String kind, int status, long errorCode, Http2Headers headers, String body) {
    boolean reset() {
      return kind.equals("RST_STREAM") || kind.equals("GOAWAY") || kind.equals("EOF");
    }
  }

  private record Frame(int type, int flags, int stream, byte[] payload) {
  }

  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;
  private final DefaultHttp2HeadersDecoder decoder = new DefaultHttp2HeadersDecoder(false);

  RawH2(int port) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(10_000);
    in = new DataInputStream(socket.getInputStream());
    out = socket.getOutputStream();
    out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    frame(SETTINGS, 0, 0, new byte[0]);
  }

  /** Sends a HEADERS frame of literal fields given as name, value, name, value... */
  void headers(int stream, boolean endStream, String... nameValues) throws IOException {
    ByteArrayOutputStream block = new ByteArrayOutputStream();
    for (int i = 0; i < nameValues.length; i += 2) {
      block.write(0x00); // literal header field without indexing, new name
      string(block, nameValues[i]);
      string(block, nameValues[i + 1]);
    }
    frame(HEADERS, 0x4 | (endStream ? 0x1 : 0), stream, block.toByteArray());
  }

  /** Sends a DATA frame. */
  void data(int stream, byte[] bytes, boolean endStream) throws IOException {
    frame(DATA, endStream ? 0x1 : 0, stream, bytes);
  }

  private static void string(ByteArrayOutputStream block, String s) {
    byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
    // 7-bit prefix integer, no Huffman
    int n = b.length;
    if (n < 127) {
      block.write(n);
    } else {
      block.write(127);
      n -= 127;
      while (n >= 128) {
        block.write((n & 0x7f) | 0x80);
        n >>>= 7;
      }
      block.write(n);
    }
    block.write(b, 0, b.length);
  }

  void frame(int type, int flags, int stream, byte[] payload) throws IOException {
    byte[] h = new byte[9];
    h[0] = (byte) (payload.length >>> 16);
    h[1] = (byte) (payload.length >>> 8);
    h[2] = (byte) payload.length;
    h[3] = (byte) type;
    h[4] = (byte) flags;
    h[5] = (byte) (stream >>> 24);
    h[6] = (byte) (stream >>> 16);
    h[7] = (byte) (stream >>> 8);
    h[8] = (byte) stream;
    out.write(h);
    out.write(payload);
    out.flush();
  }

  private Frame read() throws IOException {
    int len = in.readUnsignedByte() << 16 | in.readUnsignedByte() << 8 | in.readUnsignedByte();
    int type = in.readUnsignedByte();
    int flags = in.readUnsignedByte();
    int stream = in.readInt() & 0x7fffffff;
    byte[] payload = new byte[len];
    in.readFully(payload);
    return new Frame(type, flags, stream, payload);
  }

  /**
   * Reads until the stream is answered (a response head and its body to the end of the stream), reset, or the
   * connection is refused (GOAWAY) or closed, or {@code timeout} passes (then an {@link AssertionError}).
   */
  Answer await(int stream, Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    Http2Headers head = null;
    StringBuilder body = new StringBuilder();
    while (true) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("no answer on stream " + stream + " within " + timeout);
      }
      socket.setSoTimeout((int) Math.max(1, left / 1_000_000));
      Frame f;
      try {
        f = read();
      } catch (SocketTimeoutException e) {
        throw new AssertionError("no answer on stream " + stream + " within " + timeout, e);
      } catch (EOFException | java.net.SocketException e) {
        return new Answer("EOF", 0, -1, head, body.toString());
      }
      if (f.type == SETTINGS && (f.flags & 0x1) == 0) {
        frame(SETTINGS, 0x1, 0, new byte[0]);
      } else if (f.type == PING && (f.flags & 0x1) == 0) {
        frame(PING, 0x1, 0, f.payload);
      } else if (f.type == GOAWAY) {
        long code = ((f.payload[4] & 0xffL) << 24) | ((f.payload[5] & 0xff) << 16) | ((f.payload[6] & 0xff) << 8)
            | (f.payload[7] & 0xff);
        return new Answer("GOAWAY", 0, code, head, body.toString());
      } else if (f.stream == stream && f.type == RST_STREAM) {
        long code = ((f.payload[0] & 0xffL) << 24) | ((f.payload[1] & 0xff) << 16) | ((f.payload[2] & 0xff) << 8)
            | (f.payload[3] & 0xff);
        return new Answer("RST_STREAM", 0, code, head, body.toString());
      } else if (f.stream == stream && f.type == HEADERS) {
        Http2Headers decoded;
        try {
          decoded = decoder.decodeHeaders(stream, Unpooled.wrappedBuffer(unpad(f)));
        } catch (Http2Exception e) {
          throw new IOException(e);
        }
        if (head == null) {
          head = decoded;
        }
        if ((f.flags & 0x1) != 0) {
          return new Answer("HEADERS", Integer.parseInt(head.status().toString()), 0, head, body.toString());
        }
      } else if (f.stream == stream && f.type == DATA) {
        body.append(new String(unpad(f), StandardCharsets.ISO_8859_1));
        if (f.payload.length > 0) {
          // keep the windows open
          int n = f.payload.length;
          byte[] inc = {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n};
          frame(WINDOW_UPDATE, 0, 0, inc);
          frame(WINDOW_UPDATE, 0, stream, inc);
        }
        if ((f.flags & 0x1) != 0) {
          return new Answer("HEADERS", Integer.parseInt(head.status().toString()), 0, head, body.toString());
        }
      }
    }
  }

  /** The {@code :status} of every response head in bytes a server sent on an h2 connection (frames, no preface). */
  static java.util.List<Integer> statuses(byte[] server) {
    java.util.List<Integer> out = new java.util.ArrayList<>();
    DefaultHttp2HeadersDecoder d = new DefaultHttp2HeadersDecoder(false);
    int i = 0;
    while (i + 9 <= server.length) {
      int len = (server[i] & 0xff) << 16 | (server[i + 1] & 0xff) << 8 | server[i + 2] & 0xff;
      if (i + 9 + len > server.length) {
        break;
      }
      Frame f = new Frame(server[i + 3] & 0xff, server[i + 4] & 0xff,
          java.nio.ByteBuffer.wrap(server, i + 5, 4).getInt() & 0x7fffffff,
          java.util.Arrays.copyOfRange(server, i + 9, i + 9 + len));
      if (f.type == HEADERS) {
        try {
          Http2Headers h = d.decodeHeaders(f.stream, Unpooled.wrappedBuffer(unpad(f)));
          if (h.status() != null) {
            out.add(Integer.parseInt(h.status().toString()));
          }
        } catch (Http2Exception | RuntimeException e) {
          break; // a head split into CONTINUATION frames: not decoded here
        }
      }
      i += 9 + len;
    }
    return out;
  }

  private static byte[] unpad(Frame f) {
    byte[] p = f.payload;
    int from = 0;
    int to = p.length;
    if ((f.flags & 0x8) != 0) { // PADDED
      int pad = p[0] & 0xff;
      from = 1;
      to -= pad;
    }
    if (f.type == HEADERS && (f.flags & 0x20) != 0) { // PRIORITY
      from += 5;
    }
    return java.util.Arrays.copyOfRange(p, from, to);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
