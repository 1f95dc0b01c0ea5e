package dev.replication.demo;

/**
 * One step of the scenario: a title, a body that returns whether the step behaved as described,
 * and the verdict it ends with. {@link #execute} prints the step's header, runs the body (or skips
 * it on an existing cluster when the step injects faults) and prints the verdict with the time taken.
 */
abstract class Step {

    /** How a step ended. */
    enum Verdict { PASS, FAIL, SKIPPED }

    /** A step's title and verdict, for the summary. */
    record Result(String name, Verdict verdict) {
    }

    private final String name;
    private final boolean injectsFaults;

    /**
     * @param name          the title printed in the header and the summary, e.g. {@code 1. writes go to the primary}
     * @param injectsFaults true when the step pauses, kills or promotes servers: skipped on an existing cluster
     */
    protected Step(String name, boolean injectsFaults) {
        this.name = name;
        this.injectsFaults = injectsFaults;
    }

    final String name() {
        return name;
    }

    /** The step's body: true when every check passed. */
    abstract boolean run(Scenario s) throws Exception;

    /** Prints the header, runs (or skips) the body and prints the verdict. */
    final Result execute(Scenario s) {
        Console.line("");
        Console.line("== Step %s", name);
        if (injectsFaults && !s.cluster().injectsFaults()) {
            Console.line("    -> SKIPPED: existing cluster, the demo does not inject faults into it");
            return new Result(name, Verdict.SKIPPED);
        }
        long start = System.nanoTime();
        boolean ok;
        String why = "";
        try {
            ok = run(s);
        } catch (Exception | AssertionError e) {
            ok = false;
            why = " (" + e + ")";
            Console.line("    unexpected failure: %s", e);
        }
        Verdict verdict = ok ? Verdict.PASS : Verdict.FAIL;
        Console.line("    -> %s (%.1f s)%s", verdict, (System.nanoTime() - start) / 1e9, why);
        return new Result(name, verdict);
    }

    /** Prints {@code CHECK FAILED: failure} when the condition is false; returns the condition. */
    static boolean check(boolean condition, String failure) {
        if (!condition) {
            Console.line("    CHECK FAILED: %s", failure);
        }
        return condition;
    }
}
