package dev.cronhook.api.build;

import java.util.UUID;

/** Told when a version's build has ended (READY or FAILED), once per version, after the end is recorded. */
public interface BuildEnds {
    BuildEnds NONE = new BuildEnds() {
        @Override
        public void buildFailed(UUID scriptId, int version, String error) {}
    };

    void buildFailed(UUID scriptId, int version, String error);

    /** Any final state: READY or FAILED. */
    default void buildEnded(UUID scriptId, int version, dev.cronhook.core.build.BuildState state) {}
}
