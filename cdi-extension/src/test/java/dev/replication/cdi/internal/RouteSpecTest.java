package dev.replication.cdi.internal;

import dev.replication.Intent;
import dev.replication.NoReplicaPolicy;
import dev.replication.cdi.Primary;
import dev.replication.cdi.ReadReplica;
import jakarta.interceptor.InvocationContext;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

import java.time.Duration;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RouteSpecTest {

    @ReadReplica
    static class ReadClass {
        public void plain() {
        }

        @Primary
        public void write() {
        }

        @Primary(readOnly = true)
        public void strong() {
        }

        @ReadReplica(maxLag = "500ms", noReplica = NoReplicaPolicy.FAIL)
        public void bounded() {
        }

        @ReadReplica(maxLag = "soon")
        public void badLag() {
        }
    }

    static class Subclass extends ReadClass {
    }

    @Primary
    static class WriteClass {
        @ReadReplica
        public void read() {
        }
    }

    private static RouteSpec spec(Class<?> c, String method) throws Exception {
        return RouteSpec.of(c.getMethod(method), c, Set.of());
    }

    @Test
    void nearestAnnotationWins() throws Exception {
        assertThat(spec(ReadClass.class, "plain").intent()).isEqualTo(Intent.READ);
        assertThat(spec(ReadClass.class, "write").intent()).isEqualTo(Intent.WRITE);
        assertThat(spec(ReadClass.class, "strong").intent()).isEqualTo(Intent.READ_STRONG);
        assertThat(spec(WriteClass.class, "read").intent()).isEqualTo(Intent.READ);
        assertThat(RouteSpec.of(WriteClass.class.getMethod("hashCode"), WriteClass.class, Set.of()).intent())
                .isEqualTo(Intent.WRITE);
        assertThat(spec(Subclass.class, "plain").intent()).as("container subclasses").isEqualTo(Intent.READ);
    }

    @Test
    void options() throws Exception {
        RouteSpec s = spec(ReadClass.class, "bounded");
        assertThat(s.options().maxLag()).isEqualTo(Duration.ofMillis(500));
        assertThat(s.options().noReplica()).isEqualTo(NoReplicaPolicy.FAIL);
        assertThat(spec(ReadClass.class, "plain").options().maxLag()).isNull();
        assertThatThrownBy(() -> spec(ReadClass.class, "badLag")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'soon'").hasMessageContaining("badLag");
    }

    @Test
    void durations() {
        assertThat(RouteSpec.parseDuration("2s", "x")).isEqualTo(Duration.ofSeconds(2));
        assertThat(RouteSpec.parseDuration("1m", "x")).isEqualTo(Duration.ofMinutes(1));
        assertThat(RouteSpec.parseDuration("250", "x")).isEqualTo(Duration.ofMillis(250));
    }

    /** A container on Jakarta Interceptors 2.1 (EE 10): its InvocationContext has no getInterceptorBindings(). */
    @Test
    void onInterceptors21TheAnnotationsOfTheMethodAndClassDecide() throws Exception {
        Method method = ReadClass.class.getMethod("write");
        InvocationContext interceptors21 = (InvocationContext) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {InvocationContext.class}, (proxy, m, args) -> {
                    if (m.getName().equals("getInterceptorBindings")) {
                        throw new NoSuchMethodError("jakarta.interceptor.InvocationContext.getInterceptorBindings()");
                    }
                    if (m.getName().equals("getMethod")) {
                        return method;
                    }
                    throw new UnsupportedOperationException(m.getName());
                });
        assertThat(RouteSpec.bindings(interceptors21)).isEmpty();
        assertThat(RouteSpec.of(method, ReadClass.class, RouteSpec.bindings(interceptors21)).intent())
                .isEqualTo(Intent.WRITE);
        assertThat(RouteSpec.of(ReadClass.class.getMethod("plain"), Subclass.class, RouteSpec.bindings(interceptors21))
                .intent()).isEqualTo(Intent.READ);
    }
}
