package dev.cronhook.api.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class BatcherTest {

    @Test
    void itemsThatArriveWhileABatchIsInHandGoTogetherInTheNext() throws Exception {
        var inFirst = new CountDownLatch(1);
        var releaseFirst = new CountDownLatch(1);
        var batches = new CopyOnWriteArrayList<List<Integer>>();
        try (var batcher = new Batcher<Integer, Integer>("test", 1, 100, items -> {
            batches.add(items);
            if (items.contains(0)) {
                inFirst.countDown();
                releaseFirst.await();
            }
            return items.stream().map(i -> i * 10).toList();
        })) {
            var first = batcher.submit(0);
            assertThat(inFirst.await(5, TimeUnit.SECONDS)).isTrue();
            var later = List.of(batcher.submit(1), batcher.submit(2), batcher.submit(3));
            releaseFirst.countDown();

            assertThat(first.get(5, TimeUnit.SECONDS)).isZero();
            assertThat(later.stream().map(f -> f.join()).toList()).containsExactly(10, 20, 30);
            assertThat(batches).containsExactly(List.of(0), List.of(1, 2, 3));
        }
    }

    @Test
    void batchIsCutAtItsMaximumSize() {
        var sizes = new CopyOnWriteArrayList<Integer>();
        try (var batcher = new Batcher<Integer, Integer>("test", 1, 4, items -> {
            sizes.add(items.size());
            return items;
        })) {
            var results = batcher.submitAll(List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10));
            assertThat(results.stream().map(f -> f.join()).toList()).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
        }
        assertThat(sizes).allMatch(n -> n <= 4);
        assertThat(sizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(10);
    }

    @Test
    void oneBadItemFailsAloneWhenItsBatchFails() {
        try (var batcher = new Batcher<String, String>("test", 1, 10, items -> {
            if (items.contains("bad")) throw new IllegalArgumentException("bad item");
            return items.stream().map(String::toUpperCase).toList();
        })) {
            var results = batcher.submitAll(List.of("a", "bad", "c"));

            assertThat(results.get(0).join()).isEqualTo("A");
            assertThat(results.get(2).join()).isEqualTo("C");
            assertThatThrownBy(() -> results.get(1).get())
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void closingFinishesWhatWasQueuedAndRefusesMore() {
        var batcher = new Batcher<Integer, Integer>("test", 2, 3, items -> items);
        var queued = batcher.submitAll(List.of(1, 2, 3, 4, 5, 6, 7));
        batcher.close();

        assertThat(queued.stream().map(f -> f.join()).toList()).containsExactly(1, 2, 3, 4, 5, 6, 7);
        assertThat(batcher.submit(8)).isCompletedExceptionally();
    }
}
