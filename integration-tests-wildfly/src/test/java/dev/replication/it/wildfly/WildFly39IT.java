package dev.replication.it.wildfly;

/** WildFly 39.0.1.Final: Jakarta EE 10, the server's Hibernate ORM 6.6, Weld 5.1, Interceptors 2.1. */
class WildFly39IT extends WildFlyScenario {

    @Override
    String serverName() {
        return "WildFly 39.0.1.Final";
    }

    @Override
    String id() {
        return "wildfly-39";
    }

    @Override
    String homeProperty() {
        return "wildfly.home";
    }

    @Override
    boolean preview() {
        return false;
    }

    @Override
    String expectedHibernate() {
        return "6.6.40.Final";
    }
}
