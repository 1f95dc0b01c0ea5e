package dev.replication.testkit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Gives a JUnit 5 test class one {@link PgCluster}, started before the class's first test and
 * closed after its last. The cluster is injected as a {@code PgCluster} parameter into
 * constructors, {@code @BeforeAll}/{@code @BeforeEach} methods and test methods. Use
 * {@link PgCluster#createDatabase(String)} for per-test isolation.
 *
 * <pre>{@code
 * @PgClusterTest(replicas = 2)
 * class MyTest {
 *     @Test
 *     void reads(PgCluster cluster) { ... }
 * }
 * }</pre>
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(PgClusterExtension.class)
public @interface PgClusterTest {
    /** @return number of streaming replicas besides the primary */
    int replicas() default 2;

    /** @return zonky binaries version, e.g. {@code 16.10.0}; empty for the default */
    String version() default "";

    /** @return superuser password; empty for a random one */
    String password() default "";
}
