package dev.replication.demo;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The main job runs in CI too: every step of the scenario must pass on an embedded cluster. */
class DemoTest {

    @Test
    void everyStepPasses() throws Exception {
        assertEquals(0, new Demo().run(), "demo exit code (see the step output above)");
    }
}
