package dev.cronhook.builder.config;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code cronhook.builder.*}: where builds go and how npm and jib run. See builder/README.md for the table.
 *
 * @param cacheDir npm cache, node_modules trees, jib layer caches; default {@code ${cronhook.home}/builder}
 * @param target registry, docker, bundle, or auto (registry if one is set, else docker if an engine answers, else
 *     bundle)
 * @param registry registry host[:port] the images are pushed to, e.g. {@code 127.0.0.1:5000}
 * @param insecureRegistry allow plain HTTP to the registry; default: only for 127.0.0.1 and localhost
 * @param baseImage {@code host} (node from this machine) or an image reference ({@code node:22-slim},
 *     {@code docker://ref}, {@code tar:///path})
 * @param bundleDir where directory bundles go; default {@code <cache-dir>/bundles}
 * @param pythonBinary the python3 Python images are made from and whose pip resolves; default: the first binary
 *     {@code python3} on the PATH (a version manager's shim is skipped)
 * @param pythonBaseImage {@code host} (python3 from this machine) or an image reference, as for base-image
 * @param pipIndexUrl the Python package index ({@code CRONHOOK_BUILDER_PIP_INDEX_URL}); default: pip's own
 * @param codeHandoffRetention how long the code a build left for this host's executors is kept once neither built
 *     nor taken again (0: kept for good)
 */
@ConfigurationProperties("cronhook.builder")
public record BuilderProperties(
        Path cacheDir,
        @DefaultValue("auto") Target target,
        String registry,
        String registryUsername,
        String registryPassword,
        Boolean insecureRegistry,
        @DefaultValue("host") String baseImage,
        Path nodeBinary,
        @DefaultValue("docker") Path dockerExecutable,
        @DefaultValue("npm") String npmCommand,
        String npmRegistry,
        @DefaultValue("5m") Duration npmTimeout,
        @DefaultValue("300") long maxNodeModulesMb,
        @DefaultValue("5m") Duration resolutionTtl,
        @DefaultValue("3") int attempts,
        @DefaultValue("1s") Duration retryBackoff,
        @DefaultValue("2") int concurrency,
        @DefaultValue("30s") Duration visibilityTimeout,
        @DefaultValue("1d") Duration logTtl,
        @DefaultValue("20s") Duration stopGrace,
        Path bundleDir,
        Path pythonBinary,
        @DefaultValue("host") String pythonBaseImage,
        String pipIndexUrl,
        @DefaultValue("5m") Duration pipTimeout,
        @DefaultValue("300") long maxSitePackagesMb,
        @DefaultValue("7d") Duration codeHandoffRetention) {

    /** Where built scripts go. */
    public enum Target {
        AUTO,
        REGISTRY,
        DOCKER,
        BUNDLE
    }

    boolean registryAllowsPlainHttp() {
        if (insecureRegistry != null) return insecureRegistry;
        if (registry == null) return false;
        String host = registry.replaceFirst(":\\d+$", "");
        return host.equals("127.0.0.1") || host.equals("localhost") || host.equals("[::1]");
    }
}
