package dev.replication.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * What the steps share: the cluster, the booted application, the accounts step 1 opens with the
 * balances they should have, and the {@link Summary} the fault steps report their numbers to.
 * {@link #accounts()} is filled by step 1 only and read afterwards (also by reader threads);
 * the expected balances are safe to update from several threads.
 */
final class Scenario {

    static final String[] OWNERS = {"alice", "bob", "carol", "dave"};
    static final String[] ITEMS = {"coffee", "book", "lamp", "chair", "pen", "mug"};

    private final DemoCluster cluster;
    private final DemoApp app;
    private final Summary summary;
    private final List<Long> accounts = new ArrayList<>();
    private final Map<Long, Long> expectedBalance = new ConcurrentHashMap<>();

    Scenario(DemoCluster cluster, DemoApp app, Summary summary) {
        this.cluster = cluster;
        this.app = app;
        this.summary = summary;
    }

    DemoCluster cluster() {
        return cluster;
    }

    DemoApp app() {
        return app;
    }

    Bank bank() {
        return app.bank();
    }

    Recorder recorder() {
        return app.recorder();
    }

    Summary summary() {
        return summary;
    }

    List<Long> accounts() {
        return accounts;
    }

    /** Records a new account with its opening balance. */
    void opened(long account, long balance) {
        accounts.add(account);
        expectedBalance.put(account, balance);
    }

    /** What {@code account}'s balance should be after every order placed so far. */
    Long expectedBalance(long account) {
        return expectedBalance.get(account);
    }

    /** Places an order in its own request and books its amount against the expected balance. */
    Served<Long> order(long account, String item, long amount) {
        Served<Long> s = inRequest(() -> app.bank().placeOrder(account, item, amount));
        charged(account, amount);
        return s;
    }

    /** Books an order placed by a step itself against the expected balance. */
    void charged(long account, long amount) {
        expectedBalance.merge(account, -amount, Long::sum);
    }

    <T> T inRequest(Supplier<T> work) {
        return app.inRequest(work);
    }

    boolean isPrimary(Served<?> s) {
        return cluster.isPrimary(s);
    }

    boolean isReplica(Served<?> s) {
        return cluster.isReplica(s);
    }

    void awaitCaughtUp() {
        app.awaitCaughtUp();
    }
}
