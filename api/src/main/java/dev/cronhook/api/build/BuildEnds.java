package dev.cronhook.api.build;

import java.util.UUID;

/** Told when a version's build has failed, once per version (after the failure is recorded). */
public interface BuildEnds {
    BuildEnds NONE = (scriptId, version, error) -> {};

    void buildFailed(UUID scriptId, int version, String error);
}
