package dev.replication.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.replication.testkit.internal.Lsn;
import org.junit.jupiter.api.Test;

class LsnTest {
    @Test
    void parsesAndCompares() {
        Lsn a = Lsn.parse("0/3000060");
        Lsn b = Lsn.parse("1/0");
        assertThat(a.value()).isEqualTo(0x3000060L);
        assertThat(b.value()).isEqualTo(1L << 32);
        assertThat(b.atLeast(a)).isTrue();
        assertThat(a.atLeast(b)).isFalse();
        assertThat(a.atLeast(a)).isTrue();
        assertThat(Lsn.parse("FFFFFFFF/FFFFFFFF").atLeast(b)).isTrue();
        assertThat(a.toString()).isEqualTo("0/3000060");
        assertThat(Lsn.parse(null)).isNull();
    }
}
