package dev.cronhook.api.schedule.jobrunr;

import dev.cronhook.api.schedule.DueSetReconciler;
import org.jobrunr.jobs.lambdas.JobRequestHandler;

/** Runs {@link ReconcileDueSetJob}. */
public class ReconcileDueSetJobHandler implements JobRequestHandler<ReconcileDueSetJob> {
    private final DueSetReconciler reconciler;

    public ReconcileDueSetJobHandler(DueSetReconciler reconciler) {
        this.reconciler = reconciler;
    }

    @Override
    public void run(ReconcileDueSetJob job) {
        reconciler.reconcile();
    }
}
