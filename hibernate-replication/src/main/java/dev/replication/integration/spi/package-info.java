/**
 * SPI for integrations: what a module that wires the library into a container (the CDI
 * extension today; Quarkus and JTA integrations next) may use besides the public API in
 * {@code dev.replication}. Like Hibernate's {@code spi} packages, this is a contract for
 * integrators, not for applications: it may change between minor versions, with notice in the
 * release notes.
 * <p>
 * {@code dev.replication.internal} and its sub-packages are private to the core module; a build
 * check ({@code ModuleBoundaryTest} in integration-tests) fails when another module imports them.
 * What an integration needs from there belongs here instead.
 */
package dev.replication.integration.spi;
