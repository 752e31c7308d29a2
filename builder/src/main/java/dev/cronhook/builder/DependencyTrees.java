package dev.cronhook.builder;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the dependency installers (npm's, pip's) and the bundle builder share: the digests that key their trees, a
 * tree's size and its removal, the end of an installer process, and waiting for an install another build started.
 */
public final class DependencyTrees {
    private DependencyTrees() {}

    /** The SHA-256 of {@code text} (UTF-8), in hex. */
    public static String sha256(String text) {
        return sha256(text.getBytes(StandardCharsets.UTF_8));
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Bytes as whole megabytes, rounded up. */
    public static long megabytes(long bytes) {
        return (bytes + 1024 * 1024 - 1) / (1024 * 1024);
    }

    /** The bytes of the regular files under {@code dir} (0 when it is not a directory). */
    public static long sizeOf(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return 0;
        var total = new AtomicLong();
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                total.addAndGet(attrs.size());
                return FileVisitResult.CONTINUE;
            }
        });
        return total.get();
    }

    /** Kills an installer process and every process it started. */
    public static void kill(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits for an install of the same lock that another build started; its failure is this build's. */
    public static Path await(CompletableFuture<Path> running) throws BuildFailedException, InterruptedException {
        try {
            return running.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof BuildFailedException f) throw new BuildFailedException(f.getMessage(), f);
            throw new BuildFailedException("the install this build waited for failed: " + e.getCause(), e);
        }
    }
}
