package dev.cronhook.executor.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class RunSlotsTest {
    /** Whether a direct run that may not wait got a slot. */
    private static boolean taken(CompletableFuture<Void> turn) {
        assertThat(turn == null || turn.isDone())
                .as("a run that may not wait is never put in the line")
                .isTrue();
        return turn != null;
    }

    @Test
    void queuedRunsWaitInOrderAndADirectRunNeverPassesThem() {
        var slots = new RunSlots(2);
        assertThat(taken(slots.tryJoin(0))).isTrue();
        assertThat(slots.take()).isCompleted();
        assertThat(taken(slots.tryJoin(0))).as("all taken").isFalse();

        var first = slots.take();
        var second = slots.take();
        assertThat(first).isNotDone();

        slots.release();
        assertThat(first).as("the first to wait gets it").isCompleted();
        assertThat(second).isNotDone();
        slots.release();
        assertThat(second).isCompleted();
        assertThat(taken(slots.tryJoin(0))).isFalse();

        slots.release();
        assertThat(slots.free()).isOne();
        assertThat(taken(slots.tryJoin(0))).isTrue();
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
        assertThat(taken(slots.tryJoin(0))).isFalse();
        assertThat(slots.free()).isZero();
    }

    @Test
    void aDirectRunWaitsInTheLineWhileItIsShortAndInItsOrder() {
        var slots = new RunSlots(1);
        assertThat(slots.tryJoin(2)).isCompleted();
        var queued = slots.take();
        var direct = slots.tryJoin(2);
        assertThat(direct)
                .as("behind the queued run, the line holds one")
                .isNotNull()
                .isNotDone();
        assertThat(slots.tryJoin(2)).as("the line holds two: full").isNull();

        slots.release();
        assertThat(queued).as("the first in line first").isCompleted();
        assertThat(direct).isNotDone();
        slots.release();
        assertThat(direct).isCompleted();
        slots.release();
        assertThat(slots.free()).isOne();
    }

    @Test
    void aRunWithdrawnFromTheLineTakesNoSlotAndOneGivenItsSlotCannotLeave() {
        var slots = new RunSlots(1);
        assertThat(slots.take()).isCompleted();
        var first = slots.tryJoin(4);
        var second = slots.tryJoin(4);

        assertThat(slots.withdraw(first)).as("still waiting: it leaves").isTrue();
        slots.release();
        assertThat(first).as("gone from the line, never given the slot").isNotDone();
        assertThat(second).isCompleted();
        assertThat(slots.withdraw(second))
                .as("its slot was given: it must give it back")
                .isFalse();
        slots.release();
        assertThat(slots.free()).isOne();
    }
}
