package dev.replication.internal.failover;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConnInfoTest {

    @Test
    void pointsAtAnotherServerAndKeepsEveryOtherParameter() {
        ConnInfo c = ConnInfo.parse("user=replicator password=s3cret host=10.0.0.1 port=5433 sslmode=require"
                + " application_name=node2");
        assertThat(c.withServer("10.0.0.9", 6432).format())
                .isEqualTo("host=10.0.0.9 port=6432 user=replicator password=s3cret sslmode=require application_name=node2");
    }

    @Test
    void hostaddrIsDroppedBecauseItWouldWinOverTheNewHost() {
        assertThat(ConnInfo.parse("hostaddr=10.0.0.1 host=db1 port=5432").withServer("db2", 5432).format())
                .isEqualTo("host=db2 port=5432");
    }

    @Test
    void quotedValuesWithSpacesQuotesAndBackslashesSurviveARoundTrip() {
        assertThat(ConnInfo.parse("password = 'x y'  host = a").get("password")).isEqualTo("x y");
        ConnInfo d = ConnInfo.parse("password='it\\'s a p\\\\w d' options='-c x=1' host=a");
        assertThat(d.get("password")).isEqualTo("it's a p\\w d");
        assertThat(d.get("options")).isEqualTo("-c x=1");
        ConnInfo again = ConnInfo.parse(d.withServer("b", 1).format());
        assertThat(again.get("password")).isEqualTo("it's a p\\w d");
        assertThat(again.get("options")).isEqualTo("-c x=1");
        assertThat(again.get("host")).isEqualTo("b");
    }

    @Test
    void toStringNeverShowsThePassword() {
        ConnInfo c = ConnInfo.parse("host=a password=topsecret user=u");
        assertThat(c.toString()).doesNotContain("topsecret").contains("password=***");
    }

    @Test
    void badInputIsRejectedWithoutEchoingIt() {
        assertThatThrownBy(() -> ConnInfo.parse("postgresql://u:topsecret@h/db"))
                .hasMessageNotContaining("topsecret").hasMessageContaining("URI");
        assertThatThrownBy(() -> ConnInfo.parse("host=a password='topsecret"))
                .hasMessageNotContaining("topsecret").hasMessageContaining("unterminated");
        assertThatThrownBy(() -> ConnInfo.parse("host=a topsecret"))
                .hasMessageContaining("has no '='");
        assertThat(ConnInfo.parse("  ").isEmpty()).isTrue();
        assertThat(ConnInfo.parse(null).isEmpty()).isTrue();
    }
}
