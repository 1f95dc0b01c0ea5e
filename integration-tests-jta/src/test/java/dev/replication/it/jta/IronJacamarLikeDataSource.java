package dev.replication.it.jta;

import jakarta.transaction.Status;
import jakarta.transaction.SystemException;
import jakarta.transaction.Transaction;
import jakarta.transaction.TransactionManager;

import javax.sql.DataSource;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

/**
 * A primary data source that behaves like WildFly's IronJacamar pools: {@code getConnection()} throws
 * {@code SQLException("IJ000460: Error checking for a transaction")} while the calling thread has a
 * transaction associated whose status is neither {@code STATUS_ACTIVE} nor {@code STATUS_NO_TRANSACTION},
 * that is inside a synchronization's {@code afterCompletion} (the transaction has completed but is still
 * associated with the thread). Agroal hands out an unenlisted connection there, which hid the problem.
 * <p>
 * Besides, a switch refuses the next connection(s) asked on one thread, to simulate a primary that does
 * not answer at a precise moment (the resolution of a pending read-after-write position).
 * <p>
 * Thread-safe.
 */
final class IronJacamarLikeDataSource implements DataSource {
    static final String IJ000460 = "IJ000460: Error checking for a transaction";

    private final DataSource delegate;
    private final TransactionManager tm;
    private final AtomicInteger refusedInCompletion = new AtomicInteger();
    private final AtomicInteger refusedBySwitch = new AtomicInteger();
    private volatile Thread refuseOn;
    private final AtomicInteger refuseLeft = new AtomicInteger();

    IronJacamarLikeDataSource(DataSource delegate, TransactionManager tm) {
        this.delegate = delegate;
        this.tm = tm;
    }

    /** Refuses the next {@code count} connections asked on {@code thread} (SQLSTATE 08001), then accepts again. */
    void refuseNext(Thread thread, int count) {
        refuseLeft.set(count);
        refuseOn = thread;
    }

    /** Connections refused because a completed transaction was associated with the caller. */
    int refusedInCompletion() {
        return refusedInCompletion.get();
    }

    /** Connections refused by {@link #refuseNext}. */
    int refusedBySwitch() {
        return refusedBySwitch.get();
    }

    @Override
    public Connection getConnection() throws SQLException {
        check();
        return delegate.getConnection();
    }

    @Override
    public Connection getConnection(String user, String password) throws SQLException {
        check();
        return delegate.getConnection(user, password);
    }

    private void check() throws SQLException {
        if (refuseOn == Thread.currentThread() && refuseLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            refusedBySwitch.incrementAndGet();
            throw new SQLException("refused by the test: the primary's data source gives no connection now", "08001");
        }
        int status;
        try {
            Transaction tx = tm.getTransaction();
            status = tx == null ? Status.STATUS_NO_TRANSACTION : tx.getStatus();
        } catch (SystemException e) {
            throw new SQLException(IJ000460, e);
        }
        if (status != Status.STATUS_ACTIVE && status != Status.STATUS_NO_TRANSACTION) {
            refusedInCompletion.incrementAndGet();
            throw new SQLException(IJ000460);
        }
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return delegate.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        delegate.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        delegate.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return delegate.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return delegate.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        return iface.isInstance(this) ? iface.cast(this) : delegate.unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        return iface.isInstance(this) || delegate.isWrapperFor(iface);
    }

    @Override
    public String toString() {
        return "IronJacamar-like(" + delegate + ")";
    }
}
