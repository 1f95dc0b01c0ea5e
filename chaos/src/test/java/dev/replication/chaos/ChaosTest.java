package dev.replication.chaos;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The 60-second chaos run of CI ({@code chaos.seconds} and {@code chaos.seed} override): the
 * checker must find no violation; the report lands in the module's {@code target/}.
 */
class ChaosTest {

    @Test
    void sixtySecondsOfFaultsUnderLoadViolateNothing() throws Exception {
        ChaosOptions options = ChaosOptions.fromSystemProperties(60);
        Checker.Verdict v = ChaosMain.run(options);

        assertThat(options.outDir().resolve(ChaosReport.JSON)).exists();
        assertThat(options.outDir().resolve(ChaosReport.SVG)).exists();
        assertThat(Files.readString(options.outDir().resolve(ChaosReport.JSON))).contains("\"violations\"");
        assertThat(v.violations())
                .as("violations of seed %d (replay: -Dchaos.seed=%d); samples: %s", options.seed(), options.seed(), v.samples())
                .allSatisfy((name, count) -> assertThat(count).as(name).isZero());
    }

}
