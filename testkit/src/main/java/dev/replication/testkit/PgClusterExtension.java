package dev.replication.testkit;

import java.lang.reflect.AnnotatedElement;
import java.util.Optional;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * JUnit 5 extension behind {@link PgClusterTest}: one cluster per annotated test class, kept in
 * the class's {@link ExtensionContext.Store} (closed with it) and resolved for {@code PgCluster}
 * parameters.
 */
public final class PgClusterExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(PgClusterExtension.class);
    private static final String KEY = "cluster";

    /** Creates the extension (JUnit instantiates it). */
    public PgClusterExtension() {
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        cluster(context);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        ExtensionContext owner = owner(context);
        if (owner == context) {
            PgCluster c = context.getStore(NS).remove(KEY, PgCluster.class);
            if (c != null) {
                c.close();
            }
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == PgCluster.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        try {
            return cluster(extensionContext);
        } catch (RuntimeException e) {
            throw new ParameterResolutionException("cannot start the PgCluster: " + e.getMessage(), e);
        }
    }

    private static PgCluster cluster(ExtensionContext context) {
        ExtensionContext owner = owner(context);
        PgClusterTest cfg = owner.getElement().flatMap(e -> AnnotationSupport.findAnnotation(e, PgClusterTest.class))
                .orElse(null);
        return owner.getStore(NS).getOrComputeIfAbsent(KEY, k -> start(cfg), PgCluster.class);
    }

    /** The context of the nearest enclosing class annotated with {@link PgClusterTest} (else the outermost class). */
    private static ExtensionContext owner(ExtensionContext context) {
        ExtensionContext outermostClass = context;
        for (ExtensionContext c = context; c != null; c = c.getParent().orElse(null)) {
            Optional<AnnotatedElement> el = c.getElement();
            if (el.isPresent() && el.get() instanceof Class<?> cls) {
                if (AnnotationSupport.isAnnotated(cls, PgClusterTest.class)) {
                    return c;
                }
                outermostClass = c;
            }
        }
        return outermostClass;
    }

    private static PgCluster start(PgClusterTest cfg) {
        PgCluster.Builder b = PgCluster.builder();
        if (cfg != null) {
            b.replicas(cfg.replicas());
            if (!cfg.version().isEmpty()) {
                b.version(cfg.version());
            }
            if (!cfg.password().isEmpty()) {
                b.password(cfg.password());
            }
        } else {
            b.replicas(2);
        }
        return b.start();
    }
}
