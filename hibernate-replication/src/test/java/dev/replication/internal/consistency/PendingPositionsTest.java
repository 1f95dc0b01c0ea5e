package dev.replication.internal.consistency;

import dev.replication.ConsistencyScope;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import static org.assertj.core.api.Assertions.assertThat;

class PendingPositionsTest {

    @Test
    void aCommitIsResolvedByAQuestionSentAfterIt() {
        AtomicLong primary = new AtomicLong(100);
        AtomicInteger asked = new AtomicInteger();
        PendingPositions p = new PendingPositions(() -> {
            asked.incrementAndGet();
            return primary.get();
        }, () -> { });
        LongSupplier first = p.afterCommit();
        assertThat(first.getAsLong()).isEqualTo(100);
        assertThat(asked).hasValue(1);
        // the same commit again: the answer already covers it
        assertThat(first.getAsLong()).isEqualTo(100);
        assertThat(asked).hasValue(1);

        primary.set(200);
        LongSupplier second = p.afterCommit();
        // a commit made after the last question needs a new one: the old answer (100) may be before it
        assertThat(second.getAsLong()).isEqualTo(200);
        assertThat(asked).hasValue(2);
    }

    @Test
    void concurrentReadersShareOneQuestion() throws Exception {
        CountDownLatch inQuestion = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger asked = new AtomicInteger();
        PendingPositions p = new PendingPositions(() -> {
            asked.incrementAndGet();
            inQuestion.countDown();
            try {
                release.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return 500;
        }, () -> { });
        LongSupplier commit = p.afterCommit();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            Future<Long> asker = pool.submit(commit::getAsLong);
            assertThat(inQuestion.await(5, TimeUnit.SECONDS)).isTrue();
            // commits made before the question was sent join it
            Future<Long> a = pool.submit(commit::getAsLong);
            Future<Long> b = pool.submit(commit::getAsLong);
            release.countDown();
            assertThat(asker.get(5, TimeUnit.SECONDS)).isEqualTo(500);
            assertThat(a.get(5, TimeUnit.SECONDS)).isEqualTo(500);
            assertThat(b.get(5, TimeUnit.SECONDS)).isEqualTo(500);
            assertThat(asked).hasValue(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aCommitMadeWhileAQuestionIsInFlightDoesNotUseItsAnswer() throws Exception {
        CountDownLatch inQuestion = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicLong answer = new AtomicLong(10);
        AtomicInteger asked = new AtomicInteger();
        PendingPositions p = new PendingPositions(() -> {
            if (asked.incrementAndGet() == 1) {
                inQuestion.countDown();
                try {
                    release.await(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return 10;
            }
            return answer.get();
        }, () -> { });
        LongSupplier early = p.afterCommit();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<Long> first = pool.submit(early::getAsLong);
            assertThat(inQuestion.await(5, TimeUnit.SECONDS)).isTrue();
            LongSupplier late = p.afterCommit();   // committed after the first question was sent
            answer.set(20);
            Future<Long> second = pool.submit(late::getAsLong);
            release.countDown();
            assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo(10);
            assertThat(second.get(5, TimeUnit.SECONDS)).isEqualTo(20);
            assertThat(asked).hasValue(2);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void anUnansweredQuestionIsReportedAndLeavesTheScopeOnThePrimaryUntilAnswered() {
        AtomicLong primary = new AtomicLong(-1);
        AtomicInteger failures = new AtomicInteger();
        PendingPositions p = new PendingPositions(primary::get, failures::incrementAndGet);
        ConsistencyScope scope = new ConsistencyScope();
        scope.advance(new dev.replication.ConsistencyToken(50));
        scope.advanceWhenKnown(p.afterCommit());

        assertThat(scope.positionUnknown()).isTrue();
        assertThat(failures).hasValue(1);
        // what can be handed out is the last known token, which does not cover the write
        assertThat(scope.token()).map(t -> t.lsn()).contains(50L);
        assertThat(failures).hasValue(2);

        primary.set(300);
        assertThat(scope.positionUnknown()).isFalse();
        assertThat(scope.position()).isEqualTo(300);
        assertThat(scope.token()).map(t -> t.lsn()).contains(300L);
        assertThat(failures).hasValue(2);
    }
}
