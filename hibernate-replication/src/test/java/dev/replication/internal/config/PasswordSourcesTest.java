package dev.replication.internal.config;

import dev.replication.NodeConfig;
import dev.replication.ReplicationConfigurationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Passwords given by reference: environment variables and files, per scope. */
class PasswordSourcesTest {
    private static final String SECRET = "s3cret-by-reference";
    private static final Map<String, String> ENV = Map.of("DB_PASSWORD", SECRET, "R1_PASSWORD", SECRET + "-r1",
            "EMPTY_VAR", "");

    @TempDir
    Path dir;

    private static Map<String, Object> base() {
        Map<String, Object> m = new HashMap<>();
        m.put("replication.primary.url", "jdbc:postgresql://db1:5432/app");
        m.put("replication.replicas", "r1,r2");
        m.put("replication.replica.r1.url", "jdbc:postgresql://db2:5432/app");
        m.put("replication.replica.r2.url", "jdbc:postgresql://db3:5432/app");
        m.put("replication.user", "app");
        return m;
    }

    private static List<NodeConfig> nodes(Map<String, Object> m) {
        return NodeSettings.read(new SettingsReader(m, ENV::get));
    }

    private static Map<String, Object> with(String key, Object value) {
        Map<String, Object> m = base();
        m.put(key, value);
        return m;
    }

    @Test
    void eachNodeTakesItsOwnSourceElseTheDefault() throws IOException {
        Path file = Files.writeString(dir.resolve("primary-pw"), SECRET + "-p\r\n\n");
        Map<String, Object> m = with("replication.password-env", "DB_PASSWORD");
        m.put("replication.primary.password-file", file.toString());
        m.put("replication.replica.r1.password-env", "R1_PASSWORD");
        List<NodeConfig> nodes = nodes(m);
        assertThat(nodes).extracting(NodeConfig::password)
                .containsExactly(SECRET + "-p", SECRET + "-r1", SECRET);
        assertThat(nodes.toString()).doesNotContain(SECRET);
    }

    @Test
    void aFileKeepsInnerWhitespaceAndDropsTrailingLineBreaksOnly() throws IOException {
        Path file = Files.writeString(dir.resolve("pw"), " a b \n");
        assertThat(nodes(with("replication.password-file", file.toString())).get(0).password()).isEqualTo(" a b ");
    }

    @Test
    void aMissingVariableFailsNamingKeyAndVariable() {
        assertThatThrownBy(() -> nodes(with("replication.replica.r2.password-env", "NOT_SET_ANYWHERE")))
                .isInstanceOf(ReplicationConfigurationException.class)
                .hasMessage("Environment variable 'NOT_SET_ANYWHERE' named by 'replication.replica.r2.password-env'"
                        + " is not set");
        assertThatThrownBy(() -> nodes(with("replication.password-env", "EMPTY_VAR")))
                .hasMessage("Environment variable 'EMPTY_VAR' named by 'replication.password-env' is empty");
    }

    @Test
    void anUnreadableOrEmptyFileFailsNamingKeyAndPath() throws IOException {
        Path missing = dir.resolve("no-such-file");
        assertThatThrownBy(() -> nodes(with("replication.password-file", missing.toString())))
                .hasMessage("File '" + missing + "' named by 'replication.password-file' cannot be read: no such file");
        assertThatThrownBy(() -> nodes(with("replication.primary.password-file", dir.toString())))
                .hasMessageStartingWith("File '" + dir + "' named by 'replication.primary.password-file' cannot be read");
        Path empty = Files.writeString(dir.resolve("empty"), "\n");
        assertThatThrownBy(() -> nodes(with("replication.password-file", empty.toString())))
                .hasMessage("File '" + empty + "' named by 'replication.password-file' is empty");
        Path binary = Files.write(dir.resolve("binary"), new byte[] {(byte) 0xC3, (byte) 0x28});
        assertThatThrownBy(() -> nodes(with("replication.password-file", binary.toString())))
                .hasMessageEndingWith("cannot be read: not UTF-8 text");
    }

    @Test
    void exactlyOneSourcePerScope() throws IOException {
        Map<String, Object> m = with("replication.password", SECRET);
        m.put("replication.password-env", "DB_PASSWORD");
        assertThatThrownBy(() -> nodes(m))
                .hasMessageStartingWith("Settings 'replication.password' and 'replication.password-env' both give the"
                        + " same password: give exactly one of 'replication.password', 'replication.password-env'")
                .hasMessageNotContaining(SECRET);
        Path file = Files.writeString(dir.resolve("pw"), SECRET);
        Map<String, Object> r1 = with("replication.replica.r1.password-env", "R1_PASSWORD");
        r1.put("replication.replica.r1.password-file", file.toString());
        assertThatThrownBy(() -> nodes(r1)).hasMessageContaining("'replication.replica.r1.password-env' and"
                + " 'replication.replica.r1.password-file' both give");
        Map<String, Object> scopes = with("replication.password", SECRET);
        scopes.put("replication.primary.password-env", "DB_PASSWORD");
        assertThat(nodes(scopes)).hasSize(3);
    }

    @Test
    void perNodeKeysOfAnUnlistedReplicaFail() {
        Map<String, Object> m = with("replication.replica.r9.password-env", "DB_PASSWORD");
        SettingsReader reader = new SettingsReader(m, ENV::get);
        List<String> names = NodeSettings.read(reader).stream().map(NodeConfig::name).toList();
        assertThatThrownBy(() -> reader.rejectUnknown(names))
                .hasMessageContaining("names replica 'r9', which is not listed in 'replication.replicas'");
    }
}
