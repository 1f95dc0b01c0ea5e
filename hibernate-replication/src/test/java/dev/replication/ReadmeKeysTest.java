package dev.replication;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's table of keys must list every key with its default. */
class ReadmeKeysTest {

    @Test
    void readmeListsEveryKeyWithItsDefault() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"));
        for (ReplicationProperty p : ReplicationProperty.values()) {
            String d = p.defaultValue() == null || p.defaultValue().isEmpty() ? "—" : "`" + p.defaultValue() + "`";
            assertThat(readme).as(p.key()).contains("| `" + p.key() + "` | " + p.type().name().toLowerCase()
                    .replace('_', '-') + " | " + d + " |");
        }
    }
}
