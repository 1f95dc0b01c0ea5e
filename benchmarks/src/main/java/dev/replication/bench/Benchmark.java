package dev.replication.bench;

/**
 * One benchmark: sets up its variants through the context, measures them and adds a section to
 * the context's report (JSON) plus rows to its table. What it opens is closed by the caller.
 */
@FunctionalInterface
interface Benchmark {

    void run(BenchContext ctx) throws Exception;
}
