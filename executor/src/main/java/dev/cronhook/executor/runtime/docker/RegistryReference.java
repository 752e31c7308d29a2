package dev.cronhook.executor.runtime.docker;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * An image in a registry named by the digest of its manifest, {@code host[:port]/repository@sha256:<hex>}: the form
 * the builder gives images it pushed. References without a registry host (Docker Hub's) or without a digest are not
 * ones (a tag can move; a digest is what the content is checked against).
 */
record RegistryReference(String host, String repository, String digest) {
    private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");
    private static final Pattern REPOSITORY =
            Pattern.compile("[a-z0-9]+(?:[._-]+[a-z0-9]+)*(?:/[a-z0-9]+(?:[._-]+[a-z0-9]+)*)*");
    private static final Pattern HOST = Pattern.compile("(?:[A-Za-z0-9.-]+|\\[[0-9A-Fa-f:]+\\])(?::[0-9]{1,5})?");

    RegistryReference {
        if (!HOST.matcher(host).matches()) throw new IllegalArgumentException("not a registry host: " + host);
        if (!REPOSITORY.matcher(repository).matches()) {
            throw new IllegalArgumentException("not a repository name: " + repository);
        }
        if (!DIGEST.matcher(digest).matches()) throw new IllegalArgumentException("not a sha256 digest: " + digest);
    }

    /** The reference {@code image} names, or empty when it is not a registry reference by digest. */
    static Optional<RegistryReference> parse(String image) {
        if (image == null) return Optional.empty();
        int at = image.indexOf('@');
        if (at < 0) return Optional.empty();
        String name = image.substring(0, at);
        String digest = image.substring(at + 1);
        int slash = name.indexOf('/');
        if (slash < 0) return Optional.empty();
        String host = name.substring(0, slash);
        // Docker's rule: the first component is a registry host when it has a dot or a port, or is localhost
        if (!host.contains(".") && !host.contains(":") && !host.equals("localhost")) return Optional.empty();
        String repository = name.substring(slash + 1);
        // a tag beside the digest (repo:tag@sha256:...) says nothing the digest does not
        int colon = repository.lastIndexOf(':');
        if (colon > repository.lastIndexOf('/')) repository = repository.substring(0, colon);
        try {
            return Optional.of(new RegistryReference(host, repository, digest));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The host without its port. */
    String hostName() {
        if (host.startsWith("[")) return host.substring(0, host.indexOf(']') + 1);
        int colon = host.lastIndexOf(':');
        return colon < 0 ? host : host.substring(0, colon);
    }

    @Override
    public String toString() {
        return host + "/" + repository + "@" + digest;
    }
}
