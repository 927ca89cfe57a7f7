package dev.loadstar.gateway.internal.accesslog;

import java.io.IOException;
import java.io.OutputStream;

/** Lines written to a stream (standard output, or a test's stream); no rotation. */
public final class StreamSink implements Sink {

  private final OutputStream out;
  private final String name;
  private final boolean closeStream;

  /** Writes to {@code out}; {@code closeStream} says whether {@link #close()} closes it. */
  public StreamSink(OutputStream out, String name, boolean closeStream) {
    this.out = out;
    this.name = name;
    this.closeStream = closeStream;
  }

  @Override
  public void write(byte[] bytes, int length) throws IOException {
    out.write(bytes, 0, length);
  }

  @Override
  public void flush() throws IOException {
    out.flush();
  }

  @Override
  public void close() throws IOException {
    if (closeStream) {
      out.close();
    } else {
      out.flush();
    }
  }

  @Override
  public String describe() {
    return name;
  }
}
