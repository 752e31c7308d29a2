package dev.cronhook.executor.runtime;

import java.util.UUID;

/** What a sandbox is started for: the script version, its image (or bundle) and memory; the warm pool's key. */
public record SandboxSpec(UUID scriptId, int version, String image, int memoryMb) {}
