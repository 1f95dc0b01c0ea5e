package dev.replication.internal;

import org.junit.jupiter.api.Test;

import java.io.EOFException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.sql.SQLException;

import static org.assertj.core.api.Assertions.assertThat;

/** Which failures make the primary be checked again at once: refused, reset, ended by the server; not timeouts. */
class HardFailureTest {

    @Test
    void refusedResetAndEndedConnectionsAreHard() {
        assertThat(Failures.isHardConnectionFailure(new SQLException("refused", "08001",
                new ConnectException("Connection refused")))).isTrue();
        assertThat(Failures.isHardConnectionFailure(new SQLException("io", "08006",
                new SocketException("Connection reset")))).isTrue();
        assertThat(Failures.isHardConnectionFailure(new SQLException("io", "08006", new EOFException()))).isTrue();
    }

    @Test
    void timeoutsAndConnectionsClosedHereAreNot() {
        assertThat(Failures.isHardConnectionFailure(new SQLException("timeout", "08006",
                new SocketTimeoutException("Read timed out")))).isFalse();
        assertThat(Failures.isHardConnectionFailure(new SQLException("aborted", "08006",
                new SocketException("Socket closed")))).isFalse();
        assertThat(Failures.isHardConnectionFailure(new SQLException("This connection has been closed.", "08003")))
                .isFalse();
    }
}
