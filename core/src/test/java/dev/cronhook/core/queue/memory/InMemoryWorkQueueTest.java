package dev.cronhook.core.queue.memory;

import dev.cronhook.core.queue.QueueOptions;
import dev.cronhook.core.queue.QueueSpec;
import dev.cronhook.core.queue.WorkQueue;
import dev.cronhook.core.queue.WorkQueueContract;
import java.util.UUID;

class InMemoryWorkQueueTest extends WorkQueueContract {
    final InMemoryQueues queues = new InMemoryQueues();

    @Override
    protected WorkQueue<String> queue(QueueOptions<String> options) {
        return queues.open(new QueueSpec<>("test:" + UUID.randomUUID(), "tests", String.class), options);
    }
}
