package dev.replication.it.wildfly;

/**
 * WildFly Preview 39.0.1.Final: Jakarta EE 11, the server's Hibernate ORM 7.1, Weld 6.0, Interceptors 2.2; started
 * with {@code -Dorg.wildfly.unsupported.skip.jakarta.transformer=true}.
 */
class WildFlyPreview39IT extends WildFlyScenario {

    @Override
    String serverName() {
        return "WildFly Preview 39.0.1.Final";
    }

    @Override
    String id() {
        return "wildfly-preview-39";
    }

    @Override
    String homeProperty() {
        return "wildfly-preview.home";
    }

    @Override
    boolean preview() {
        return true;
    }

    @Override
    String expectedHibernate() {
        return "7.1.11.Final";
    }
}
