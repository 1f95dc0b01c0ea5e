package dev.replication.it.jta;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Captures the log records that reach the JUL root logger (JBoss Logging logs through JUL here) as
 * {@code "<logger> <LEVEL> <message>"}, the library's own logger raised to ALL meanwhile (as the
 * resource-local tests' {@code LogCapture}).
 */
final class LogLines extends Handler implements AutoCloseable {
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Logger root = Logger.getLogger("");
    private final Logger library = Logger.getLogger("dev.replication");
    private final Level libraryLevel = library.getLevel();
    private final SimpleFormatter formatter = new SimpleFormatter();

    LogLines() {
        setLevel(Level.ALL);
        library.setLevel(Level.ALL);
        root.addHandler(this);
    }

    @Override
    public void publish(LogRecord record) {
        lines.add(record.getLoggerName() + " " + record.getLevel() + " " + formatter.formatMessage(record));
    }

    List<String> lines(String contains) {
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
