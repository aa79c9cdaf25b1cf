package io.infermesh.worker.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.infermesh.contracts.PoolState;
import io.infermesh.contracts.Topics;
import io.infermesh.worker.WorkerProperties;
import io.infermesh.worker.catalogue.WorkerModels;
import io.infermesh.worker.engine.InferenceEngine;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * A pool whose batch fails outside the job runner (here: the dead-letter topic refuses a record) must not commit
 * past that batch: it stops as after a crash, wakes again, and the records come again. Kafka's own MockConsumer
 * stands in for the broker so that the failure can be staged exactly.
 */
class PoolCrashTests {

    private static final String TOPIC = Topics.dispatch("digits").name();
    private static final TopicPartition TP = new TopicPartition(TOPIC, 0);

    private final InferenceEngine engine =
            new InferenceEngine(JsonMapper.builder().build(), 1);
    private final List<Long> committed = new CopyOnWriteArrayList<>();
    private final List<Long> deadLettered = new CopyOnWriteArrayList<>();
    private final AtomicInteger consumers = new AtomicInteger();

    @AfterEach
    void close() {
        engine.close();
    }

    /** A consumer that holds two records that are not dispatched jobs, and remembers what it committed. */
    private MockConsumer<String, byte[]> consumer() {
        consumers.incrementAndGet();
        MockConsumer<String, byte[]> consumer = new MockConsumer<>("earliest") {
            @Override
            public synchronized void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
                offsets.values().forEach(o -> committed.add(o.offset()));
                super.commitSync(offsets);
            }
        };
        consumer.schedulePollTask(() -> {
            consumer.rebalance(List.of(TP));
            consumer.updateBeginningOffsets(Map.of(TP, 0L));
            for (long offset = 0; offset < 2; offset++) {
                consumer.addRecord(new ConsumerRecord<>(
                        TOPIC, 0, offset, "job-" + offset, "not a job".getBytes(StandardCharsets.UTF_8)));
            }
        });
        return consumer;
    }

    @Test
    void aBatchThatFailsOutsideTheRunnerIsNotCommittedAndComesAgainAfterTheRestart() {
        AtomicInteger sends = new AtomicInteger();
        PoolWorker.DeadLetters deadLetters = (record, why) -> {
            if (sends.incrementAndGet() == 1) {
                throw new IllegalStateException("the dead-letter topic is away");
            }
            deadLettered.add(record.offset());
        };
        WorkerProperties.Pool settings = new WorkerProperties.Pool(
                0,
                1,
                Duration.ofSeconds(60),
                null,
                8,
                null,
                Duration.ofSeconds(5),
                3,
                Duration.ofMillis(10),
                null,
                null,
                null,
                null);
        var context = new PoolWorker.Context(null, JsonMapper.builder().build(), deadLetters, settings, this::consumer);
        var digits = WorkerModels.load(Path.of("../models"), List.of("digits"))
                .find("digits")
                .orElseThrow();
        ModelPool pool = new ModelPool(digits, context, engine, 0, 1);

        pool.backlog(2);

        // the first consumer fails on its batch: nothing committed, the pool is back at zero
        await().atMost(Duration.ofSeconds(10))
                .until(() -> sends.get() >= 1
                        && PoolState.ZERO.equals(pool.status("t").state()));
        assertThat(committed).isEmpty();

        // still two waiting: after its pause the pool wakes again, and this time both are dead-lettered and committed
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            pool.backlog(2);
            return committed.contains(2L);
        });
        assertThat(consumers.get()).isEqualTo(2);
        assertThat(deadLettered).containsExactly(0L, 1L);
        pool.stop().forEach(PoolWorker::stop);
    }
}
