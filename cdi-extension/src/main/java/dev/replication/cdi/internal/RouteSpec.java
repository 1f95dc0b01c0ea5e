package dev.replication.cdi.internal;

import dev.replication.Intent;
import dev.replication.NoReplicaPolicy;
import dev.replication.RoutingOptions;
import dev.replication.cdi.Primary;
import dev.replication.cdi.ReadReplica;
import dev.replication.integration.spi.ReplicationIntegration;

import jakarta.interceptor.InvocationContext;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

/**
 * What one intercepted method asks for: the intent and per-call options, from the nearest of
 * {@link ReadReplica} / {@link Primary} (method first, then the class and its superclasses, then
 * the interceptor bindings the container reports, which covers stereotypes).
 *
 * @param intent  the intent
 * @param options per-call options ({@link RoutingOptions#DEFAULT} when none)
 * @param source  where the annotation was found, for messages
 */
public record RouteSpec(Intent intent, RoutingOptions options, String source) {


    /** The spec for {@code method} invoked on an instance of {@code targetClass}. */
    /**
     * The call's interceptor bindings (stereotypes included), or none where the container implements
     * Jakarta Interceptors 2.1 (Jakarta EE 10), which has no {@code getInterceptorBindings()}: the
     * annotations on the method and its class are read instead, which covers every binding but a
     * stereotype's.
     */
    public static Collection<Annotation> bindings(InvocationContext ic) {
        try {
            return ic.getInterceptorBindings();
        } catch (NoSuchMethodError | AbstractMethodError interceptors21) {
            return List.of();
        }
    }

    public static RouteSpec of(Method method, Class<?> targetClass, Collection<Annotation> bindings) {
        String where = method == null ? String.valueOf(targetClass) : method.getDeclaringClass().getName() + "." + method.getName();
        if (method != null) {
            RouteSpec s = from(method.getAnnotation(ReadReplica.class), method.getAnnotation(Primary.class), where);
            if (s != null) {
                return s;
            }
        }
        for (Class<?> c = targetClass; c != null && c != Object.class; c = c.getSuperclass()) {
            RouteSpec s = from(c.getDeclaredAnnotation(ReadReplica.class), c.getDeclaredAnnotation(Primary.class), where);
            if (s != null) {
                return s;
            }
        }
        if (method != null) {
            Class<?> c = method.getDeclaringClass();
            RouteSpec s = from(c.getAnnotation(ReadReplica.class), c.getAnnotation(Primary.class), where);
            if (s != null) {
                return s;
            }
        }
        if (bindings != null) {
            ReadReplica r = null;
            Primary p = null;
            for (Annotation a : bindings) {
                if (a instanceof ReadReplica rr) {
                    r = rr;
                } else if (a instanceof Primary pp) {
                    p = pp;
                }
            }
            RouteSpec s = from(r, p, where);
            if (s != null) {
                return s;
            }
        }
        // Bound through RoutingBinding alone: the safe choice is the primary.
        return new RouteSpec(Intent.WRITE, RoutingOptions.DEFAULT, where);
    }

    private static RouteSpec from(ReadReplica r, Primary p, String where) {
        if (r != null && p != null) {
            throw new IllegalStateException("Both @ReadReplica and @Primary on the same element for " + where
                    + ": keep one (the nearest annotation decides; method over class)");
        }
        if (p != null) {
            return new RouteSpec(p.readOnly() ? Intent.READ_STRONG : Intent.WRITE, RoutingOptions.DEFAULT, where);
        }
        if (r != null) {
            return new RouteSpec(Intent.READ, options(r, where), where);
        }
        return null;
    }

    /** The options of a {@link ReadReplica}; malformed members throw naming {@code where}. */
    public static RoutingOptions options(ReadReplica r, String where) {
        Duration maxLag = r.maxLag().isBlank() ? null : parseDuration(r.maxLag(), "@ReadReplica(maxLag) of " + where);
        NoReplicaPolicy[] p = r.noReplica();
        if (p.length > 1) {
            throw new IllegalArgumentException("Invalid value " + Arrays.toString(p)
                    + " for @ReadReplica(noReplica) of " + where + ": expected at most one of PRIMARY, FAIL"
                    + " (none means the configured replication.no-replica)");
        }
        NoReplicaPolicy policy = p.length == 0 ? null : p[0];
        return maxLag == null && policy == null && !r.leaveTransaction() ? RoutingOptions.DEFAULT
                : new RoutingOptions(maxLag, policy, r.leaveTransaction());
    }

    /** Parses {@code 250ms}, {@code 2s}, {@code 1m}, {@code 1h} or a number of milliseconds. */
    public static Duration parseDuration(String text, String what) {
        return ReplicationIntegration.parseDuration(text).orElseThrow(() -> new IllegalArgumentException("Invalid value '" + text + "' for "
                + what + ": expected " + ReplicationIntegration.DURATION_SYNTAX));
    }
}
