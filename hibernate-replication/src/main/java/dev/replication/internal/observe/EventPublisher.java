package dev.replication.internal.observe;

import dev.replication.ReplicationConfigurationException;
import dev.replication.ReplicationProperty;
import dev.replication.RoutingDecision;
import dev.replication.internal.Log;
import dev.replication.spi.RoutingListener;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Delivers routing and state events to the registered {@link RoutingListener}s, and the new
 * primary's name to the primary-change hooks (the integrator evicts the second-level cache). A
 * failing listener is logged and never disturbs the caller. Allocates nothing when no listener is
 * registered. Thread-safe.
 */
public final class EventPublisher {

    private final List<RoutingListener> listeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<String>> primaryChangeHooks = new CopyOnWriteArrayList<>();
    private volatile boolean hasListeners;

    /** Adds a listener of each class named in {@code replication.listeners}. */
    public void addConfigured(List<String> classNames) {
        for (String name : classNames) {
            add(instantiate(name));
        }
    }

    private static RoutingListener instantiate(String className) {
        try {
            ClassLoader cl = Thread.currentThread().getContextClassLoader() != null
                    ? Thread.currentThread().getContextClassLoader() : EventPublisher.class.getClassLoader();
            return (RoutingListener) Class.forName(className, true, cl).getConstructor().newInstance();
        } catch (ReflectiveOperationException | RuntimeException e) {
            ReplicationConfigurationException ex = new ReplicationConfigurationException("Invalid value '"
                    + className + "' for '" + ReplicationProperty.LISTENERS.key() + "': could not instantiate it: " + e);
            ex.initCause(e);
            throw ex;
        }
    }

    public void add(RoutingListener l) {
        listeners.add(l);
        hasListeners = true;
    }

    public void remove(RoutingListener l) {
        listeners.remove(l);
        hasListeners = !listeners.isEmpty();
    }

    /** True when someone listens: callers skip building events otherwise. */
    public boolean active() {
        return hasListeners;
    }

    public void fire(Consumer<RoutingListener> event) {
        if (hasListeners) {
            for (RoutingListener l : listeners) {
                try {
                    event.accept(l);
                } catch (RuntimeException e) {
                    Log.LOG.listenerFailed(l, e);
                }
            }
        }
    }

    public void routed(RoutingDecision d) {
        if (hasListeners) {
            for (RoutingListener l : listeners) {
                try {
                    l.routed(d);
                } catch (RuntimeException e) {
                    Log.LOG.listenerFailed(l, e);
                }
            }
        }
    }

    public void nodeState(String node, String state, String reason) {
        fire(l -> l.nodeStateChanged(node, state, reason));
    }

    /** Called with the new primary's name after every primary change. */
    public void onPrimaryChange(Consumer<String> hook) {
        primaryChangeHooks.add(hook);
    }

    /** Runs the primary-change hooks (not the listeners: their event says more and comes from the caller). */
    public void primarySwitched(String newPrimary) {
        for (Consumer<String> hook : primaryChangeHooks) {
            try {
                hook.accept(newPrimary);
            } catch (RuntimeException e) {
                Log.LOG.listenerFailed(hook, e);
            }
        }
    }
}
