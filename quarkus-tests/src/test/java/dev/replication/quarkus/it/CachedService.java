package dev.replication.quarkus.it;

import dev.replication.cdi.Primary;
import dev.replication.cdi.ReadReplica;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import org.hibernate.Session;
import org.hibernate.jpa.HibernateHints;

import java.util.List;

/**
 * Reads and writes of second-level-cached entities, collections and cacheable queries. Each read
 * reports the server port it ran on, taken after the cached read in the same transaction (so the
 * port query does not prepare the session for the read).
 */
@ApplicationScoped
public class CachedService {

    @Inject
    EntityManager em;

    public record Read<T>(T value, int port) {
    }

    @Primary
    public long insert(String value, String category) {
        CachedRow r = new CachedRow();
        r.value = value;
        r.category = category;
        em.persist(r);
        em.flush();
        return r.id;
    }

    @Primary
    public boolean update(long id, String value) {
        CachedRow r = em.find(CachedRow.class, id);
        if (r == null) {
            return false;
        }
        r.value = value;
        return true;
    }

    @Primary
    public boolean delete(long id) {
        CachedRow r = em.find(CachedRow.class, id);
        if (r == null) {
            return false;
        }
        em.remove(r);
        return true;
    }

    /** By id: {@code EntityManager.find}, the read the second-level cache serves first. */
    @ReadReplica
    public Read<String> value(long id) {
        CachedRow r = em.find(CachedRow.class, id);
        return new Read<>(r == null ? null : r.value, port());
    }

    /** A cacheable query through Hibernate's {@code setCacheable(true)}. */
    @ReadReplica
    public Read<List<String>> valuesInCategory(String category) {
        List<String> values = em.unwrap(Session.class)
                .createSelectionQuery("from CachedRow where category = :c order by id", CachedRow.class)
                .setParameter("c", category)
                .setCacheable(true)
                .getResultList().stream().map(r -> r.value).toList();
        return new Read<>(values, port());
    }

    /** A cacheable query through Panache with Hibernate's cacheable hint. */
    @ReadReplica
    public Read<List<String>> valuesInCategoryPanache(String category) {
        List<String> values = CachedRow.<CachedRow>find("category = ?1 order by id", category)
                .withHint(HibernateHints.HINT_CACHEABLE, true)
                .list().stream().map(r -> r.value).toList();
        return new Read<>(values, port());
    }

    @Primary
    public long newShelf(String name) {
        Shelf s = new Shelf();
        s.name = name;
        em.persist(s);
        em.flush();
        return s.id;
    }

    /** Adds through the collection, so the primary's session updates the collection's cache entry. */
    @Primary
    public boolean addEntry(long shelfId, String title) {
        Shelf s = em.find(Shelf.class, shelfId);
        if (s == null) {
            return false;
        }
        ShelfEntry e = new ShelfEntry();
        e.title = title;
        e.shelf = s;
        s.entries.add(e);
        em.persist(e);
        return true;
    }

    /** The shelf's cached collection, initialized on the replica. */
    @ReadReplica
    public Read<List<String>> entries(long shelfId) {
        Shelf s = em.find(Shelf.class, shelfId);
        List<String> titles = s == null ? null : s.entries.stream().map(e -> e.title).toList();
        return new Read<>(titles, port());
    }

    private int port() {
        return ((Number) em.createNativeQuery("select inet_server_port()").getSingleResult()).intValue();
    }
}
