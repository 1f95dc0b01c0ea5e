package dev.replication.internal.connection;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class JdbcUrlsTest {

    @Test
    void theDatabaseIsReplacedAndEverythingElseKept() {
        assertThat(JdbcUrls.withDatabase("jdbc:postgresql://db1:5432/app?sslmode=require", "tenant_acme"))
                .isEqualTo("jdbc:postgresql://db1:5432/tenant_acme?sslmode=require");
        assertThat(JdbcUrls.withDatabase("jdbc:postgresql://a:1,b:2/app", "t")).isEqualTo("jdbc:postgresql://a:1,b:2/t");
        assertThat(JdbcUrls.withDatabase("jdbc:postgresql://a?ssl=true", "t")).isEqualTo("jdbc:postgresql://a/t?ssl=true");
        assertThat(JdbcUrls.withDatabase("jdbc:postgresql://[::1]:5432/", "t")).isEqualTo("jdbc:postgresql://[::1]:5432/t");
    }
}
