package dev.loadstar.samples;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Runs the command line in this JVM ({@link Main#run}, no exit) with System.out and System.err captured (and still
 * echoed, so a failing run can be read in the test log).
 *
 * @param exitCode the command's exit code
 * @param out what it printed on System.out
 * @param err what it printed on System.err
 */
record CommandRun(int exitCode, String out, String err) {

  static synchronized CommandRun of(String... args) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(new Tee(out, oldOut), true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(new Tee(err, oldErr), true, StandardCharsets.UTF_8));
      int code = Main.run(args);
      System.out.flush();
      System.err.flush();
      return new CommandRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  /** Writes to both streams. */
  private static final class Tee extends OutputStream {
    private final OutputStream a;
    private final OutputStream b;

    Tee(OutputStream a, OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public synchronized void write(int c) {
      try {
        a.write(c);
        b.write(c);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }

    @Override
    public synchronized void write(byte[] buf, int off, int len) {
      try {
        a.write(buf, off, len);
        b.write(buf, off, len);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }

    @Override
    public void flush() throws java.io.IOException {
      a.flush();
      b.flush();
    }
  }
}
