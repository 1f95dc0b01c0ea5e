package dev.replication.it.observability;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Captures every log record that reaches the JUL root logger (JBoss Logging and pgjdbc log through
 * JUL here), formatted with message, parameters and stack traces, and raises the library's own
 * logger to ALL so even its debug lines are checked.
 */
public final class LogCapture extends Handler implements AutoCloseable {
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Logger root = Logger.getLogger("");
    private final Logger library = Logger.getLogger("dev.replication");
    private final Level libraryLevel = library.getLevel();
    private final SimpleFormatter formatter = new SimpleFormatter();

    public LogCapture() {
        setLevel(Level.ALL);
        library.setLevel(Level.ALL);
        root.addHandler(this);
    }

    @Override
    public void publish(LogRecord record) {
        StringBuilder sb = new StringBuilder(record.getLoggerName() + " " + record.getLevel() + " ");
        sb.append(formatter.formatMessage(record));
        if (record.getThrown() != null) {
            StringWriter w = new StringWriter();
            record.getThrown().printStackTrace(new PrintWriter(w));
            sb.append('\n').append(w);
        }
        lines.add(sb.toString());
    }

    public List<String> lines() {
        return List.copyOf(lines);
    }

    public List<String> lines(String contains) {
        return lines.stream().filter(l -> l.contains(contains)).toList();
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        root.removeHandler(this);
        library.setLevel(libraryLevel);
    }
}
