package dev.replication.quarkus.it;

import dev.replication.cdi.Primary;
import dev.replication.cdi.ReadReplica;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import java.util.List;

/** Panache active-record calls inside annotated methods; each read also reports the port it ran on. */
@ApplicationScoped
public class BookService {

    public record Read<T>(T value, int port) {
    }

    @Primary
    public Read<Long> add(String title) {
        Book b = new Book();
        b.title = title;
        b.persist();
        return new Read<>(b.id, port());
    }

    @ReadReplica
    public Read<String> titleById(long id) {
        Book b = Book.findById(id);
        return new Read<>(b == null ? null : b.title, port());
    }

    @ReadReplica
    public Read<List<String>> titles() {
        return new Read<>(Book.<Book>listAll().stream().map(b -> b.title).toList(), port());
    }

    @ReadReplica
    @Transactional
    public Read<Long> countTitled(String title) {
        return new Read<>(Book.find("title", title).count(), port());
    }

    @ReadReplica
    public void addInRead(String title) {
        Book b = new Book();
        b.title = title;
        b.persist();
        Book.flush();
    }

    private static int port() {
        return ((Number) Book.getEntityManager().createNativeQuery("select inet_server_port()").getSingleResult()).intValue();
    }
}
