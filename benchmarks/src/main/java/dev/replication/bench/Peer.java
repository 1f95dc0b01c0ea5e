package dev.replication.bench;

import dev.replication.ConsistencyScope;
import dev.replication.Replication;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.EntityTransaction;
import org.hibernate.Session;

import java.util.function.Function;

/**
 * One column of the peers benchmark (8): how an application reads and writes through it. Reads
 * and writes are requests as in the other benchmarks (a new EntityManager, one transaction).
 */
interface Peer {

    /** A read's answer: the row's value and the port of the server that answered. */
    record Answer(long value, int port) {
    }

    /** A write-then-read cycle's read: what it saw, where, and its latency from the write's commit. */
    record Cycle(long value, int port, long readNanos) {
    }

    String key();

    String label();

    /** One read request. */
    <T> T read(Function<EntityManager, T> work);

    /** One write request. */
    <T> T write(Function<EntityManager, T> work);

    /**
     * Writes {@code value} into row {@code id}, then reads the row back: in the same request
     * ({@code sameRequest}), or in a new request on another connection.
     */
    Cycle writeThenRead(long id, long value, boolean sameRequest);

    /** The proxy process between the application and the servers, or null. */
    default PeerProcess proxy() {
        return null;
    }

    /** The row's value and the answering server's port; one statement, as every peer reads it. */
    static Answer readRow(EntityManager em, long id) {
        Object[] r = (Object[]) em.createNativeQuery("SELECT val, inet_server_port() FROM item WHERE id = ?1")
                .setParameter(1, id).getSingleResult();
        return new Answer(((Number) r[0]).longValue(), ((Number) r[1]).intValue());
    }

    /** The library: reads and writes through {@link Replication}; a new request resumes the write's token. */
    record Library(String key, String label, Replication lib) implements Peer {

        @Override
        public <T> T read(Function<EntityManager, T> work) {
            return lib.read(work);
        }

        @Override
        public <T> T write(Function<EntityManager, T> work) {
            return lib.write(work);
        }

        @Override
        public Cycle writeThenRead(long id, long value, boolean sameRequest) {
            ConsistencyScope scope = new ConsistencyScope();
            try (ConsistencyScope.Binding ignored = scope.bind()) {
                lib.write(em -> Work.update(em, id, value));
                if (sameRequest) {
                    long t = System.nanoTime();
                    Answer a = lib.read(em -> readRow(em, id));
                    return new Cycle(a.value(), a.port(), System.nanoTime() - t);
                }
            }
            // the next request gets the token as a string (a header, a message field) and resumes it
            String token = scope.token().orElseThrow().toString();
            long t = System.nanoTime();
            try (ConsistencyScope.Binding ignored = ConsistencyScope.resume(token).bind()) {
                Answer a = lib.read(em -> readRow(em, id));
                return new Cycle(a.value(), a.port(), System.nanoTime() - t);
            }
        }
    }

    /**
     * Plain Hibernate over HikariCP pools: writes through {@code writes}, reads through
     * {@code reads}. When both are the same factory (pgpool: one pool, the proxy splits), the
     * same request keeps one connection for the write and the read (the factory must hold its
     * connection until the EntityManager closes), and a new request reads on another connection
     * of that pool while the writer's is still held.
     */
    record Plain(String key, String label, EntityManagerFactory writes, EntityManagerFactory reads, PeerProcess proxy)
            implements Peer {

        @Override
        public <T> T read(Function<EntityManager, T> work) {
            return Work.plainTx(reads, true, work);
        }

        @Override
        public <T> T write(Function<EntityManager, T> work) {
            return Work.plainTx(writes, false, work);
        }

        @Override
        public Cycle writeThenRead(long id, long value, boolean sameRequest) {
            if (writes != reads) {
                // the application splits: the read goes to the read pool in either case
                write(em -> Work.update(em, id, value));
                long t = System.nanoTime();
                Answer a = read(em -> readRow(em, id));
                return new Cycle(a.value(), a.port(), System.nanoTime() - t);
            }
            EntityManager em = writes.createEntityManager();
            try {
                inTx(em, false, x -> Work.update(x, id, value));
                long t = System.nanoTime();
                Answer a = sameRequest ? inTx(em, true, x -> readRow(x, id)) : read(x -> readRow(x, id));
                return new Cycle(a.value(), a.port(), System.nanoTime() - t);
            } finally {
                em.close();
            }
        }

        private static <T> T inTx(EntityManager em, boolean readOnly, Function<EntityManager, T> work) {
            em.unwrap(Session.class).setDefaultReadOnly(readOnly);
            EntityTransaction tx = em.getTransaction();
            tx.begin();
            try {
                T r = work.apply(em);
                tx.commit();
                return r;
            } catch (RuntimeException e) {
                if (tx.isActive()) {
                    tx.rollback();
                }
                throw e;
            }
        }
    }
}
