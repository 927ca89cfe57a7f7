package dev.loadstar.gateway.internal.accesslog;

import java.io.IOException;

/** Where the access log's writer thread puts formatted lines: a stream, or a file that rotates. */
public interface Sink {

  /** Writes one batch of whole lines. */
  void write(byte[] bytes, int length) throws IOException;

  /** Flushes what was written (called when the queue is empty). */
  void flush() throws IOException;

  /** Releases the stream or file. */
  void close() throws IOException;

  /** What it writes to, for messages. */
  String describe();
}
