package dev.replication.it.wildfly.app;

import jakarta.ejb.ApplicationException;

/** A checked application exception an EJB container must roll back for. */
@ApplicationException(rollback = true)
public class RollbackFailure extends Exception {
    private static final long serialVersionUID = 1L;

    public RollbackFailure(String message) {
        super(message);
    }
}
