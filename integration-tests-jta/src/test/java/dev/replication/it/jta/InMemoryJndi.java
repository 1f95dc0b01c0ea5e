package dev.replication.it.jta;

import com.arjuna.ats.jta.UserTransaction;

import javax.naming.Context;
import javax.naming.NameNotFoundException;
import javax.naming.OperationNotSupportedException;
import javax.naming.spi.InitialContextFactory;
import java.lang.reflect.Proxy;
import java.util.Hashtable;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The smallest JNDI a test needs: names bound in a static map, looked up by {@code lookup(String)}.
 * Selected with the system property {@code java.naming.factory.initial} while a test needs it; the
 * transaction manager's standard names are bound too, as a container binds them (Narayana's CDI
 * beans look them up when JNDI is configured).
 */
public final class InMemoryJndi implements InitialContextFactory {
    static final Map<String, Object> BOUND = new ConcurrentHashMap<>();

    /** Installs this factory and binds the transaction manager's names. */
    static void install() {
        BOUND.put("java:/TransactionManager", Pools.TM);
        BOUND.put("java:comp/TransactionManager", Pools.TM);
        BOUND.put("java:comp/TransactionSynchronizationRegistry", Pools.TSR);
        BOUND.put("java:comp/UserTransaction", UserTransaction.userTransaction());
        System.setProperty(Context.INITIAL_CONTEXT_FACTORY, InMemoryJndi.class.getName());
    }

    /** Uninstalls this factory and forgets every name. */
    static void uninstall() {
        System.clearProperty(Context.INITIAL_CONTEXT_FACTORY);
        BOUND.clear();
    }

    @Override
    public Context getInitialContext(Hashtable<?, ?> environment) {
        return (Context) Proxy.newProxyInstance(Context.class.getClassLoader(), new Class<?>[]{Context.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "lookup" -> {
                        Object value = BOUND.get(String.valueOf(args[0]));
                        if (value == null) {
                            throw new NameNotFoundException(args[0] + " is not bound");
                        }
                        yield value;
                    }
                    case "close" -> null;
                    case "toString" -> "InMemoryJndi" + BOUND.keySet();
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> throw new OperationNotSupportedException(method.getName());
                });
    }
}
