package dev.cronhook.api.build;

import dev.cronhook.api.db.ReadCaches;
import dev.cronhook.api.db.Tx;
import dev.cronhook.api.script.ScriptRepository;
import dev.cronhook.core.build.BuildResult;
import dev.cronhook.core.build.BuildState;
import dev.cronhook.core.queue.WorkQueue;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Records what builders report. A READY build of a script's latest version becomes its active version, unless
 * a newer version is active already. Idempotent: a repeated final result changes nothing.
 */
public class BuildResultRecorder implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(BuildResultRecorder.class);
    private final WorkQueue<BuildResult> results;
    private final ScriptRepository scripts;
    private final Tx tx;
    private final ReadCaches caches;
    private final BuildEnds watchers;
    private volatile WorkQueue.Worker worker;

    public BuildResultRecorder(
            WorkQueue<BuildResult> results, ScriptRepository scripts, Tx tx, ReadCaches caches, BuildEnds watchers) {
        this.watchers = watchers;
        this.caches = caches;
        this.results = results;
        this.scripts = scripts;
        this.tx = tx;
    }

    public void record(BuildResult r) {
        int[] changedNow = {0};
        boolean failedNow = tx.inTransaction(() -> {
            int changed = scripts.recordBuild(
                    r.scriptId(),
                    r.version(),
                    r.state(),
                    r.lockfile(),
                    r.imageRef(),
                    r.imageDigest(),
                    r.error(),
                    r.log(),
                    r.at());
            changedNow[0] = changed;
            if (changed > 0 && r.state() == BuildState.READY) activateIfNewest(r.scriptId(), r.version());
            return changed > 0 && r.state() == BuildState.FAILED;
        });
        if (changedNow[0] > 0 && (r.state() == BuildState.READY || r.state() == BuildState.FAILED)) {
            try {
                watchers.buildEnded(r.scriptId(), r.version(), r.state());
            } catch (RuntimeException e) {
                log.debug("could not count the build of {}: {}", r.scriptId(), e.toString());
            }
        }
        if (failedNow) {
            try {
                watchers.buildFailed(r.scriptId(), r.version(), r.error());
            } catch (RuntimeException e) {
                log.warn("could not evaluate the alerts of the failed build of {}: {}", r.scriptId(), e.toString());
            }
        }
        caches.clearAll();
        log.debug("build of {} v{}: {}", r.scriptId(), r.version(), r.state());
    }

    private void activateIfNewest(UUID scriptId, int version) {
        // one conditional UPDATE: two READY results recorded at once cannot leave the older version active
        scripts.activateIfNewer(scriptId, version);
    }

    @Override
    public void start() {
        worker = results.consume(consumerName(), d -> record(d.message()));
    }

    @Override
    public void stop() {
        if (worker != null) worker.close();
        worker = null;
    }

    @Override
    public boolean isRunning() {
        return worker != null;
    }

    static String consumerName() {
        return "api-" + ProcessHandle.current().pid() + "-"
                + UUID.randomUUID().toString().substring(0, 8);
    }
}
