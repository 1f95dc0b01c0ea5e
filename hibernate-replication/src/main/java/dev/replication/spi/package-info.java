/**
 * Extension points: replica selection strategies and routing listeners. Stable for implementors.
 */
package dev.replication.spi;
