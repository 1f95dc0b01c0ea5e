/** Placeholder until filled. */
package dev.replication.cdi;
