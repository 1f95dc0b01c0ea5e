package dev.replication.it.wildfly.app;

/**
 * A checked exception of the application. For an EJB it is an application exception (the container commits
 * unless told otherwise); for {@code @Transactional} a checked exception commits unless listed in {@code rollbackOn}.
 */
public class AppFailure extends Exception {
    private static final long serialVersionUID = 1L;

    public AppFailure(String message) {
        super(message);
    }
}
