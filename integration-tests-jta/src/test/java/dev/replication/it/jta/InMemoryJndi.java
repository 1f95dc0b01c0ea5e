package dev.replication.it.jta;

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
 * Select it with {@code -Djava.naming.factory.initial=dev.replication.it.jta.InMemoryJndi}.
 */
public final class InMemoryJndi implements InitialContextFactory {
    static final Map<String, Object> BOUND = new ConcurrentHashMap<>();

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
