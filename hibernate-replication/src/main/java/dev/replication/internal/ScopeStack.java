package dev.replication.internal;

import dev.replication.Intent;
import dev.replication.RoutingDecision;
import dev.replication.RoutingOptions;
import dev.replication.RoutingReason;
import dev.replication.RoutingScope;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** The per-thread stack of routing scopes, and how each resolves to a node. */
public final class ScopeStack {
    private static final ThreadLocal<Scope> TOP = new ThreadLocal<>();

    private ScopeStack() {
    }

    public static Scope push(Intent intent, RoutingOptions options) {
        Scope scope = new Scope(TOP.get(), Objects.requireNonNull(intent, "intent"),
                options == null ? RoutingOptions.DEFAULT : options, false);
        TOP.set(scope);
        return scope;
    }

    /**
     * Opens a scope for work that joins a JTA transaction somebody else began (a caller's
     * {@code @Transactional}, a container-managed transaction): it resolves to the primary with
     * {@link RoutingReason#PINNED_BY_TRANSACTION}, and its connection is never made read-only (that
     * would make the caller's whole transaction read-only).
     */
    public static Scope pushJoined(Intent intent) {
        Scope scope = new Scope(TOP.get(), Objects.requireNonNull(intent, "intent"), RoutingOptions.DEFAULT, true);
        TOP.set(scope);
        return scope;
    }

    public static Scope current() {
        return TOP.get();
    }

    /** One open scope; its decision is made once per runtime (normally one) and then kept. */
    public static final class Scope implements RoutingScope {
        private final Scope parent;
        private final Intent intent;
        private final RoutingOptions options;
        private final boolean joined;
        /** The decision for the first runtime resolved (the common case: one session factory). */
        private ReplicationRuntime firstRuntime;
        private RoutingDecision firstDecision;
        /** Decisions for further runtimes, rare. */
        private Map<ReplicationRuntime, RoutingDecision> others;
        private boolean closed;

        Scope(Scope parent, Intent intent, RoutingOptions options, boolean joined) {
            this.parent = parent;
            this.intent = intent;
            this.options = options;
            this.joined = joined;
        }

        /** True for a scope that joins a transaction somebody else began (see {@link ScopeStack#pushJoined}). */
        public boolean joined() {
            return joined;
        }

        @Override
        public Intent intent() {
            return intent;
        }

        @Override
        public RoutingOptions options() {
            return options;
        }

        @Override
        public Optional<RoutingDecision> decision() {
            return Optional.ofNullable(firstDecision);
        }

        public Scope parent() {
            return parent;
        }

        /** The node for sessions opened in this scope on {@code runtime}; decided once. */
        public RoutingDecision resolve(ReplicationRuntime runtime) {
            RoutingDecision d = get(runtime);
            if (d == null) {
                if (joined) {
                    d = runtime.router().primary(intent, RoutingReason.PINNED_BY_TRANSACTION);
                } else if (intent == Intent.READ && options.leaveTransaction()) {
                    // set only by callers that actually left an enclosing transaction
                    d = runtime.router().route(intent, options, null);
                    if (d.replica()) {
                        d = new RoutingDecision(d.node(), d.tenant(), intent, RoutingReason.TRANSACTION_SUSPENDED, true);
                    }
                } else if (intent == Intent.READ && parent != null) {
                    RoutingDecision p = parent.resolve(runtime);
                    d = parent.intent == Intent.READ ? p
                            : new RoutingDecision(p.node(), p.tenant(), intent, RoutingReason.PINNED_BY_TRANSACTION,
                            p.replica());
                } else {
                    d = runtime.router().route(intent, options, null);
                }
                put(runtime, d);
                runtime.published(d);
            }
            return d;
        }

        private RoutingDecision get(ReplicationRuntime runtime) {
            if (firstRuntime == runtime) {
                return firstDecision;
            }
            return others == null ? null : others.get(runtime);
        }

        private void put(ReplicationRuntime runtime, RoutingDecision d) {
            if (firstRuntime == null || firstRuntime == runtime) {
                firstRuntime = runtime;
                firstDecision = d;
            } else {
                if (others == null) {
                    others = new IdentityHashMap<>(2);
                }
                others.put(runtime, d);
            }
        }

        /** After a failure on {@code failedNode}: decides again, avoiding it. */
        public RoutingDecision reroute(ReplicationRuntime runtime, String failedNode) {
            RoutingDecision d = runtime.router().route(intent, options, failedNode);
            d = new RoutingDecision(d.node(), d.tenant(), intent, RoutingReason.RETRIED_AFTER_FAILURE, d.replica());
            put(runtime, d);
            runtime.published(d);
            return d;
        }

        /** Forgets the decision so the next session decides again (used between retries). */
        public void forget(ReplicationRuntime runtime) {
            if (firstRuntime == runtime) {
                firstDecision = null;
            } else if (others != null) {
                others.remove(runtime);
            }
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            if (TOP.get() != this) {
                throw new IllegalStateException("Routing scopes must be closed in reverse order of opening, on the"
                        + " thread that opened them (closing " + intent + " scope, innermost open is "
                        + (TOP.get() == null ? "none" : TOP.get().intent) + ")");
            }
            closed = true;
            // set, not remove: removing and re-adding the entry on every call churns the thread's map
            TOP.set(parent);
        }

        @Override
        public String toString() {
            return intent + " scope" + decision().map(d -> " on " + d.node()).orElse("");
        }
    }
}
