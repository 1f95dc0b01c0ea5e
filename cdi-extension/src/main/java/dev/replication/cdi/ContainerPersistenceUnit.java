package dev.replication.cdi;

import jakarta.enterprise.context.spi.CreationalContext;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.enterprise.inject.spi.InjectionTarget;
import jakarta.enterprise.inject.spi.InjectionTargetFactory;
import jakarta.enterprise.inject.spi.configurator.AnnotatedFieldConfigurator;
import jakarta.enterprise.util.AnnotationLiteral;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.PersistenceUnit;
import org.jboss.logging.Logger;

/**
 * The container's {@link EntityManagerFactory} of a persistence unit, as an application server injects it into
 * {@code @PersistenceUnit(unitName = ...)}: a non-contextual instance of {@link Holder} whose field gets that annotation
 * at run time (the unit's name is only known then), injected through the {@link BeanManager}. The CDI container hands
 * the field to its JPA integration (Weld's {@code JpaInjectionServices}: WildFly, Payara, Open Liberty), which resolves
 * the unit the server deployed for this application. Where there is no such integration (Weld SE, a servlet container)
 * the field stays {@code null}: there is no container unit, and the caller bootstraps the unit itself.
 * <p>
 * Declaring {@code @PersistenceUnit} statically on a bean instead would make the server resolve it when the
 * application is deployed, which fails deployments with several units (an unnamed unit is ambiguous) or whose unit
 * the server does not manage ({@code jboss.as.jpa.managed=false}); the run-time injection resolves the unit the
 * extension was asked to route, only when it is first needed.
 */
final class ContainerPersistenceUnit {

    private static final Logger LOG = Logger.getLogger(ContainerPersistenceUnit.class);

    private ContainerPersistenceUnit() {
    }

    /** The target of the run-time injection. */
    static final class Holder {
        EntityManagerFactory factory;
    }

    /**
     * The container's factory for unit {@code unitName}, or {@code null} when the container has no JPA integration or
     * does not know that unit (logged).
     */
    static EntityManagerFactory lookup(BeanManager beanManager, String unitName) {
        try {
            InjectionTargetFactory<Holder> factory = beanManager.getInjectionTargetFactory(
                    beanManager.createAnnotatedType(Holder.class));
            AnnotatedFieldConfigurator<? super Holder> field = factory.configure().fields().stream()
                    .filter(f -> f.getAnnotated().getJavaMember().getName().equals("factory"))
                    .findFirst()
                    .orElseThrow();
            field.add(new Literal(unitName));
            InjectionTarget<Holder> target = factory.createInjectionTarget(null);
            CreationalContext<Holder> context = beanManager.createCreationalContext(null);
            Holder holder = target.produce(context);
            target.inject(holder, context);
            if (holder.factory == null) {
                LOG.debugf("No container-managed EntityManagerFactory for persistence unit '%s' (no JPA integration in"
                        + " this CDI container)", unitName);
            }
            return holder.factory;
        } catch (UnsupportedOperationException e) {
            // a CDI Lite container (Quarkus ArC) has no InjectionTargetFactory
            LOG.debugf("No run-time injection in this CDI container (%s)", e.toString());
            return null;
        } catch (RuntimeException e) {
            LOG.infof("The container has no EntityManagerFactory for persistence unit '%s' (%s): the CDI extension"
                    + " creates the unit itself", unitName, e.toString());
            return null;
        }
    }

    /** {@code @PersistenceUnit(unitName = ...)}. */
    @SuppressWarnings("all")
    private static final class Literal extends AnnotationLiteral<PersistenceUnit> implements PersistenceUnit {
        private static final long serialVersionUID = 1L;
        private final String unitName;

        Literal(String unitName) {
            this.unitName = unitName;
        }

        @Override
        public String name() {
            return "";
        }

        @Override
        public String unitName() {
            return unitName;
        }
    }
}
