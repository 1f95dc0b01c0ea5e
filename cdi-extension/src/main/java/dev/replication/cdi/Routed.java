package dev.replication.cdi;

import jakarta.enterprise.util.AnnotationLiteral;
import jakarta.inject.Qualifier;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Qualifier of the beans this extension provides and of the one hook it reads.
 * <ul>
 *   <li>{@code @Inject @Routed EntityManager em}: the routed EntityManager (see
 *       {@link RoutedPersistence}). A qualifier is required on purpose: applications and runtimes
 *       (Quarkus, Jakarta EE servers) often have their own {@code @Default EntityManager}, and an
 *       unqualified bean of ours would make injection ambiguous.</li>
 *   <li>{@code @Inject @Routed Replication replication}: the programmatic facade over the same
 *       EntityManagerFactory.</li>
 *   <li>Hook: when the application has a bean {@code @Routed EntityManagerFactory} (a producer), the
 *       extension uses it instead of creating one from persistence.xml, and does not close it.</li>
 * </ul>
 */
@Qualifier
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.FIELD, ElementType.PARAMETER})
public @interface Routed {

    /** Literal for programmatic lookup: {@code CDI.current().select(EntityManager.class, Routed.Literal.INSTANCE)}. */
    final class Literal extends AnnotationLiteral<Routed> implements Routed {
        private static final long serialVersionUID = 1L;
        public static final Literal INSTANCE = new Literal();

        private Literal() {
        }
    }
}
