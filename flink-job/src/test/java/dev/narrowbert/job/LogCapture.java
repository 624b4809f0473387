package dev.narrowbert.job;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/**
 * Every log event of this JVM (the test, the broker, the MiniCluster and the job) at INFO and
 * above, captured until {@link #close()}: the level Flink's and Kafka's own distributions log at,
 * where they print client and job configurations. The tests' configuration otherwise keeps only
 * warnings; the console still shows only warnings while capturing.
 */
final class LogCapture implements AutoCloseable {
  private static final String CONSOLE = "Console";

  private final List<String> lines = new ArrayList<>();
  private final LoggerContext context = (LoggerContext) LogManager.getContext(false);
  private final LoggerConfig root = context.getConfiguration().getRootLogger();
  private final Level previousLevel = root.getLevel();
  private final Appender console = context.getConfiguration().getAppender(CONSOLE);
  private final Appender capture =
      new AbstractAppender("capture", null, null, true, Property.EMPTY_ARRAY) {
        @Override
        public void append(LogEvent event) {
          String line =
              event.getLevel()
                  + " "
                  + event.getLoggerName()
                  + " - "
                  + event.getMessage().getFormattedMessage();
          if (event.getThrown() != null) {
            StringWriter trace = new StringWriter();
            event.getThrown().printStackTrace(new PrintWriter(trace));
            line += "\n" + trace;
          }
          synchronized (lines) {
            lines.add(line);
          }
        }
      };

  /** Starts capturing at INFO. */
  static LogCapture atInfo() {
    return new LogCapture();
  }

  private LogCapture() {
    Configuration config = context.getConfiguration();
    capture.start();
    config.addAppender(capture);
    root.addAppender(capture, Level.INFO, null);
    if (console != null) {
      root.removeAppender(CONSOLE);
      root.addAppender(console, Level.WARN, null);
    }
    root.setLevel(Level.INFO);
    context.updateLoggers();
  }

  /** The lines captured so far. */
  List<String> lines() {
    synchronized (lines) {
      return List.copyOf(lines);
    }
  }

  @Override
  public void close() {
    root.removeAppender(capture.getName());
    if (console != null) {
      root.removeAppender(CONSOLE);
      root.addAppender(console, null, null);
    }
    root.setLevel(previousLevel);
    context.updateLoggers();
    capture.stop();
  }
}
