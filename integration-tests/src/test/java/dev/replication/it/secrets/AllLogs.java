package dev.replication.it.secrets;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Every JUL logger at {@link Level#ALL}, every record kept in memory and nothing printed: the
 * root's handlers are set aside and every logger that has a level of its own (logging.properties
 * quiets Hibernate) is raised to ALL, so new loggers inherit ALL from the root. JBoss Logging
 * (Hibernate, the library), pgjdbc and, through slf4j-jdk14, HikariCP all log through JUL here.
 * Each record is kept as logger, level, formatted message, every parameter's {@code toString()} and
 * the stack trace of its throwable. {@link #close()} restores the previous configuration.
 */
final class AllLogs extends Handler implements AutoCloseable {
    private final List<String> records = new CopyOnWriteArrayList<>();
    private final Logger root = Logger.getLogger("");
    private final List<Handler> rootHandlers = new ArrayList<>();
    private final Map<Logger, Level> levels = new HashMap<>();
    private final SimpleFormatter formatter = new SimpleFormatter();

    /** Created (so that a level from logging.properties is applied now) and raised, whether or not used yet. */
    private static final List<String> KNOWN = List.of("org.hibernate", "org.hibernate.tool.schema", "org.postgresql",
            "com.zaxxer", "dev.replication", "org.jboss", "jakarta.persistence");

    AllLogs() {
        setLevel(Level.ALL);
        KNOWN.forEach(Logger::getLogger);
        for (String name : Collections.list(LogManager.getLogManager().getLoggerNames())) {
            Logger logger = Logger.getLogger(name);
            if (logger != null && logger.getLevel() != null) {
                levels.put(logger, logger.getLevel());
                logger.setLevel(Level.ALL);
            }
        }
        for (Handler h : root.getHandlers()) {
            rootHandlers.add(h);
            root.removeHandler(h);
        }
        levels.putIfAbsent(root, root.getLevel());
        root.setLevel(Level.ALL);
        root.addHandler(this);
    }

    @Override
    public void publish(LogRecord record) {
        StringBuilder sb = new StringBuilder(record.getLoggerName() + " " + record.getLevel() + " ");
        sb.append(formatter.formatMessage(record));
        if (record.getParameters() != null) {
            for (Object p : record.getParameters()) {
                sb.append(" | ").append(p);
            }
        }
        if (record.getThrown() != null) {
            StringWriter w = new StringWriter();
            record.getThrown().printStackTrace(new PrintWriter(w));
            sb.append('\n').append(w);
        }
        records.add(sb.toString());
    }

    /** Every record captured since the last {@link #clear()}. */
    List<String> records() {
        return List.copyOf(records);
    }

    void clear() {
        records.clear();
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        root.removeHandler(this);
        rootHandlers.forEach(root::addHandler);
        levels.forEach(Logger::setLevel);
    }
}
