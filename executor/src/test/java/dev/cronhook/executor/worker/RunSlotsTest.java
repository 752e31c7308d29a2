package dev.cronhook.executor.worker;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RunSlotsTest {
    @Test
    void queuedRunsWaitInOrderAndADirectRunNeverPassesThem() {
        var slots = new RunSlots(2);
        assertThat(slots.tryTake()).isTrue();
        assertThat(slots.take()).isCompleted();
        assertThat(slots.tryTake()).as("all taken").isFalse();

        var first = slots.take();
        var second = slots.take();
        assertThat(first).isNotDone();

        slots.release();
        assertThat(first).as("the first to wait gets it").isCompleted();
        assertThat(second).isNotDone();
        slots.release();
        assertThat(second).isCompleted();
        assertThat(slots.tryTake()).isFalse();

        slots.release();
        assertThat(slots.free()).isOne();
        assertThat(slots.tryTake()).isTrue();
        slots.release();
        slots.release();
        assertThat(slots.free()).isEqualTo(2);
    }

    @Test
    void aDirectRunTakesNoFreeSlotWhileAQueuedOneWaits() {
        var slots = new RunSlots(1);
        assertThat(slots.take()).isCompleted();
        var waiting = slots.take();

        slots.release();

        // the slot went to the waiting run, not to be taken by the direct one
        assertThat(waiting).isCompleted();
        assertThat(slots.tryTake()).isFalse();
        assertThat(slots.free()).isZero();
    }
}
