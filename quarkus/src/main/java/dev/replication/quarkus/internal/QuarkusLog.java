package dev.replication.quarkus.internal;

import org.jboss.logging.BasicLogger;
import org.jboss.logging.Logger;
import org.jboss.logging.annotations.LogMessage;
import org.jboss.logging.annotations.Message;
import org.jboss.logging.annotations.MessageLogger;

import java.lang.invoke.MethodHandles;

import static org.jboss.logging.Logger.Level.DEBUG;
import static org.jboss.logging.Logger.Level.WARN;

/** Messages of the Quarkus integration (ids 1000-1099 of the library's HRR code). */
@MessageLogger(projectCode = "HRR", length = 6)
public interface QuarkusLog extends BasicLogger {

    QuarkusLog LOG = Logger.getMessageLogger(MethodHandles.lookup(), QuarkusLog.class, "dev.replication.quarkus");

    @LogMessage(level = WARN)
    @Message(id = 1000, value = "Ignored the consistency token in %s (%d characters, starting '%s'): %s; the request reads"
            + " without the client's earlier writes guaranteed (further such warnings for 10 s are logged at DEBUG)")
    void ignoredToken(String where, int length, String start, String reason);

    @LogMessage(level = DEBUG)
    @Message(id = 1001, value = "Ignored the consistency token in %s (%d characters, starting '%s'): %s")
    void ignoredTokenAgain(String where, int length, String start, String reason);
}
