package dev.cronhook.core.queue.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cronhook.core.queue.QueueOptions;
import dev.cronhook.core.queue.WorkQueue;
import dev.cronhook.core.wire.Wire;
import io.lettuce.core.Consumer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RedisWorkQueueIT {
    record Job(String name) {}

    private RedisClient client;
    private StatefulRedisConnection<String, String> connection;
    private final String stream = "test:queue:" + UUID.randomUUID();
    private final List<WorkQueue.Worker> workers = new CopyOnWriteArrayList<>();

    @BeforeEach
    void connect() {
        client = RedisClient.create(System.getenv().getOrDefault("CRONHOOK_TEST_REDIS_URL", "redis://127.0.0.1:6379"));
        connection = client.connect();
    }

    @AfterEach
    void disconnect() {
        workers.forEach(WorkQueue.Worker::close);
        connection.sync().del(stream, stream + ":dead");
        connection.close();
        client.shutdown();
    }

    private RedisWorkQueue<Job> queue(QueueOptions<Job> options) {
        return new RedisWorkQueue<>(client, connection, stream, "workers", Job.class, Wire.json(), options);
    }

    private WorkQueue.Worker start(RedisWorkQueue<Job> queue, String name, WorkQueue.MessageHandler<Job> handler) {
        var worker = queue.consume(name, handler);
        workers.add(worker);
        return worker;
    }

    @Test
    void everyMessageIsHandledOnceAndAcknowledged() {
        var queue = queue(QueueOptions.defaults());
        Set<String> seen = ConcurrentHashMap.newKeySet();
        var handled = new AtomicInteger();
        start(queue, "a", d -> {
            seen.add(d.message().name());
            handled.incrementAndGet();
        });
        for (int i = 0; i < 200; i++) queue.enqueue(new Job("job-" + i));

        await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() == 200);
        await().atMost(Duration.ofSeconds(5)).until(() -> queue.pending() == 0);
        assertThat(handled).hasValue(200);
        assertThat(connection.sync().xlen(stream)).isZero();
    }

    @Test
    void messageOfADeadConsumerIsReclaimedByAnother() {
        var options = QueueOptions.<Job>defaults().withVisibilityTimeout(Duration.ofMillis(500));
        var queue = queue(options);
        queue.consume("bootstrap", d -> {}).close(); // creates the group
        queue.enqueue(new Job("orphan"));
        // a consumer reads the message and dies without acknowledging it
        var taken = connection
                .sync()
                .xreadgroup(Consumer.from("workers", "dead"), XReadArgs.StreamOffset.lastConsumed(stream));
        assertThat(taken).hasSize(1);

        var deliveries = new CopyOnWriteArrayList<WorkQueue.Delivery<Job>>();
        start(queue, "survivor", deliveries::add);

        await().atMost(Duration.ofSeconds(5)).until(() -> deliveries.size() == 1);
        assertThat(deliveries.getFirst().message().name()).isEqualTo("orphan");
        assertThat(deliveries.getFirst().deliveryCount()).isEqualTo(2);
        await().atMost(Duration.ofSeconds(5)).until(() -> queue.pending() == 0);
    }

    @Test
    void longHandlerKeepsItsMessageThroughHeartbeats() throws Exception {
        var options = QueueOptions.<Job>defaults().withVisibilityTimeout(Duration.ofMillis(300));
        var queue = queue(options);
        var calls = new AtomicInteger();
        start(queue, "slow", d -> {
            calls.incrementAndGet();
            Thread.sleep(1500);
        });
        start(queue, "thief", d -> calls.incrementAndGet());
        queue.enqueue(new Job("long"));

        await().atMost(Duration.ofSeconds(5)).until(() -> queue.pending() == 0 && calls.get() >= 1);
        Thread.sleep(400);
        assertThat(calls).hasValue(1);
    }

    @Test
    void messageThatKeepsFailingIsDeadLetteredWithTheReason() {
        var dead = new CopyOnWriteArrayList<String>();
        var options = QueueOptions.<Job>defaults()
                .withVisibilityTimeout(Duration.ofMillis(200))
                .withMaxDeliveries(3)
                .withDeadLetterHandler((job, reason) -> dead.add(job.name() + ": " + reason));
        var queue = queue(options);
        var attempts = new AtomicInteger();
        start(queue, "crashy", d -> {
            attempts.incrementAndGet();
            throw new IllegalStateException("boom");
        });
        queue.enqueue(new Job("poison"));

        await().atMost(Duration.ofSeconds(10)).until(() -> dead.size() == 1);
        assertThat(attempts).hasValue(3);
        assertThat(dead.getFirst()).startsWith("poison: delivered 3 times");
        assertThat(connection.sync().xlen(queue.deadLetterStream())).isEqualTo(1);
        assertThat(queue.pending()).isZero();
    }

    @Test
    void consumerRecreatesItsGroupWhenRedisLosesIt() {
        var queue = queue(QueueOptions.defaults());
        var seen = new CopyOnWriteArrayList<String>();
        start(queue, "a", d -> seen.add(d.message().name()));
        queue.enqueue(new Job("before"));
        await().atMost(Duration.ofSeconds(5)).until(() -> seen.size() == 1);

        connection.sync().del(stream); // what a restart of a Redis without persistence looks like
        queue.enqueue(new Job("after"));

        await().atMost(Duration.ofSeconds(10)).until(() -> seen.contains("after"));
    }

    @Test
    void aConsumerWhoseConnectionWasMadeAnewKnowsItsNewIdSoThatClosingUnblocksItsRead() {
        var queue = queue(QueueOptions.defaults());
        var worker = (RedisWorkQueue<Job>.StreamWorker) start(queue, "a", d -> {});
        long first = worker.readerId();
        await().atMost(Duration.ofSeconds(10)).until(() -> blockedReading(first));

        // what a restart of Redis does to the reader: its connection is dropped, lettuce makes it anew
        connection.sync().clientKill(io.lettuce.core.KillArgs.Builder.id(first));

        // the read sent again on the new connection runs out (at most one block), then the id is read anew
        await().atMost(Duration.ofSeconds(30))
                .until(() -> worker.readerId() != first && blockedReading(worker.readerId()));
    }

    /** Whether the client with this id is blocked in a stream read. */
    private boolean blockedReading(long id) {
        for (String line : connection.sync().clientList().split("\n")) {
            if (line.startsWith("id=" + id + " ")
                    && line.contains("cmd=xreadgroup")
                    && line.matches(".* flags=\\S*b.*")) {
                return true;
            }
        }
        return false;
    }

    @Test
    void enqueueAllAppendsEveryMessageInOrder() {
        var queue = queue(QueueOptions.defaults());
        var jobs = java.util.stream.IntStream.range(0, 50)
                .mapToObj(i -> new Job("job-" + i))
                .toList();

        var ids = queue.enqueueAll(jobs);

        assertThat(ids).hasSize(50).allMatch(java.util.Optional::isPresent);
        var entries = connection.sync().xrange(stream, io.lettuce.core.Range.create("-", "+"));
        assertThat(entries)
                .extracting(m -> Wire.json().readValue(m.getBody().get(RedisWorkQueue.FIELD), Job.class))
                .containsExactlyElementsOf(jobs);
        assertThat(entries)
                .extracting(io.lettuce.core.StreamMessage::getId)
                .containsExactlyElementsOf(
                        ids.stream().map(java.util.Optional::orElseThrow).toList());
    }

    @Test
    void batchesAreHandledTogetherAndEveryMessageAcknowledged() {
        var queue = queue(QueueOptions.<Job>defaults().withConcurrency(64));
        queue.consumeBatches("bootstrap", batch -> {}).close(); // creates the group
        for (int i = 0; i < 300; i++) queue.enqueue(new Job("job-" + i));
        var sizes = new CopyOnWriteArrayList<Integer>();
        Set<String> seen = ConcurrentHashMap.newKeySet();
        workers.add(queue.consumeBatches("batcher", batch -> {
            sizes.add(batch.size());
            batch.forEach(d -> seen.add(d.message().name()));
        }));

        await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() == 300);
        await().atMost(Duration.ofSeconds(5)).until(() -> queue.pending() == 0);
        assertThat(sizes).allMatch(n -> n <= 64);
        assertThat(sizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(300);
        assertThat(sizes).as("messages waiting together come in one batch").contains(64);
        assertThat(connection.sync().xlen(stream)).isZero();
    }

    @Test
    void oneBadMessageInABatchDoesNotHoldBackTheOthers() {
        var dead = new CopyOnWriteArrayList<String>();
        var queue = queue(QueueOptions.<Job>defaults()
                .withVisibilityTimeout(Duration.ofMillis(200))
                .withMaxDeliveries(2)
                .withDeadLetterHandler((job, reason) -> dead.add(job.name())));
        queue.consumeBatches("bootstrap", batch -> {}).close();
        for (int i = 0; i < 10; i++) queue.enqueue(new Job(i == 4 ? "poison" : "job-" + i));
        Set<String> done = ConcurrentHashMap.newKeySet();
        workers.add(queue.consumeBatches("batcher", batch -> {
            if (batch.stream().anyMatch(d -> d.message().name().equals("poison"))) {
                throw new IllegalStateException("cannot handle poison");
            }
            batch.forEach(d -> done.add(d.message().name()));
        }));

        await().atMost(Duration.ofSeconds(10)).until(() -> done.size() == 9 && dead.size() == 1);
        assertThat(done).doesNotContain("poison");
        assertThat(dead).containsExactly("poison");
        await().atMost(Duration.ofSeconds(5)).until(() -> queue.pending() == 0);
    }

    @Test
    void anAsyncHandlersMessageIsAcknowledgedWhenItsStageCompletesAndKeptWhenItFails() {
        var options = QueueOptions.<Job>defaults().withVisibilityTimeout(Duration.ofMillis(300));
        var queue = queue(options);
        var later = new java.util.concurrent.CompletableFuture<Void>();
        var attempts = new ConcurrentHashMap<String, AtomicInteger>();
        workers.add(queue.consumeAsync("async", d -> {
            int n = attempts.computeIfAbsent(d.message().name(), k -> new AtomicInteger())
                    .incrementAndGet();
            return switch (d.message().name()) {
                case "later" -> later;
                case "flaky" ->
                    n == 1
                            ? java.util.concurrent.CompletableFuture.failedFuture(new IllegalStateException("boom"))
                            : java.util.concurrent.CompletableFuture.completedFuture(null);
                default -> java.util.concurrent.CompletableFuture.completedFuture(null);
            };
        }));
        queue.enqueue(new Job("now"));
        queue.enqueue(new Job("later"));
        queue.enqueue(new Job("flaky"));

        await().atMost(Duration.ofSeconds(10)).until(() -> attempts.containsKey("later"));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> attempts.getOrDefault("flaky", new AtomicInteger()).get() == 2);
        await().atMost(Duration.ofSeconds(5)).until(() -> queue.pending() == 1);
        assertThat(attempts.get("later"))
                .as("an open stage keeps its message through heartbeats")
                .hasValue(1);

        later.complete(null);

        await().atMost(Duration.ofSeconds(5)).until(() -> queue.pending() == 0);
        assertThat(attempts.get("now")).hasValue(1);
        assertThat(connection.sync().xlen(stream)).isZero();
    }
}
