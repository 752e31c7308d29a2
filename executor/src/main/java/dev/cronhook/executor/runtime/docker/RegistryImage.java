package dev.cronhook.executor.runtime.docker;

import dev.cronhook.core.harness.LanguageRuntime;
import dev.cronhook.core.wire.Wire;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * An image as its registry describes it: its configuration's labels and its layers, each with the name the builder
 * gave it (jib writes a layer's name as the {@code comment} of its history entry: {@code node-runtime}, {@code
 * node_modules}, {@code harness}, {@code script}).
 */
record RegistryImage(RegistryReference reference, Map<String, String> labels, List<Layer> layers) {
    static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    static final String DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    /** The manifests this reader takes, for an {@code Accept} header. */
    static final String ACCEPT = OCI_MANIFEST + ", " + DOCKER_MANIFEST;

    private static final Set<String> GZIP_LAYERS =
            Set.of("application/vnd.oci.image.layer.v1.tar+gzip", "application/vnd.docker.image.rootfs.diff.tar.gzip");
    private static final Set<String> TAR_LAYERS = Set.of("application/vnd.oci.image.layer.v1.tar");

    RegistryImage {
        labels = Map.copyOf(labels);
        layers = List.copyOf(layers);
    }

    /** A layer: its blob's digest, media type and size, and its name (null when the image does not say). */
    record Layer(String digest, String mediaType, long size, String name) {
        boolean gzipped() {
            return GZIP_LAYERS.contains(mediaType);
        }

        boolean readable() {
            return GZIP_LAYERS.contains(mediaType) || TAR_LAYERS.contains(mediaType);
        }
    }

    /** A manifest's configuration blob and layers, before the configuration is read. */
    record Manifest(Descriptor config, List<Descriptor> layers) {}

    record Descriptor(String digest, String mediaType, long size) {}

    /** What of a configuration blob the code needs: its labels, and the names of its layers in order (or null). */
    record Config(Map<String, String> labels, List<String> layerNames) {}

    /**
     * The manifest in {@code body}, served as {@code contentType} (its own {@code mediaType} when the header says
     * nothing useful).
     *
     * @throws RegistryUnreadableException when it is not one image's manifest (an index of platforms, a schema 1
     *     manifest, not JSON)
     */
    static Manifest parseManifest(byte[] body, String contentType) throws RegistryUnreadableException {
        JsonNode json;
        try {
            json = Wire.json().readTree(body);
        } catch (RuntimeException e) {
            throw new RegistryUnreadableException("the manifest is not JSON: " + e.getMessage());
        }
        String type = mediaType(contentType);
        if (type == null || !(type.equals(OCI_MANIFEST) || type.equals(DOCKER_MANIFEST))) {
            String own = json.path("mediaType").asString(null);
            if (own != null) type = own;
        }
        if (OCI_INDEX.equals(type) || DOCKER_LIST.equals(type) || json.has("manifests")) {
            throw new RegistryUnreadableException("an index of images for several platforms, not one image's manifest");
        }
        if (json.path("schemaVersion").asInt() != 2 || !(OCI_MANIFEST.equals(type) || DOCKER_MANIFEST.equals(type))) {
            throw new RegistryUnreadableException("a manifest of a type this reader does not take: " + type);
        }
        var config = descriptor(json.path("config"));
        var layers = new ArrayList<Descriptor>();
        for (JsonNode layer : json.path("layers")) layers.add(descriptor(layer));
        return new Manifest(config, layers);
    }

    private static Descriptor descriptor(JsonNode json) throws RegistryUnreadableException {
        String digest = json.path("digest").asString(null);
        long size = json.path("size").asLong(-1);
        if (digest == null || !digest.matches("sha256:[0-9a-f]{64}") || size < 0) {
            throw new RegistryUnreadableException("a descriptor without a sha256 digest and a size: " + json);
        }
        return new Descriptor(digest, json.path("mediaType").asString(""), size);
    }

    /** The configuration blob in {@code body}: labels, and each layer's history comment when history says. */
    static Config parseConfig(byte[] body, int layerCount) throws RegistryUnreadableException {
        JsonNode json;
        try {
            json = Wire.json().readTree(body);
        } catch (RuntimeException e) {
            throw new RegistryUnreadableException("the image configuration is not JSON: " + e.getMessage());
        }
        var labels = new HashMap<String, String>();
        var labelNode = json.path("config").path("Labels");
        for (var entry : labelNode.properties()) {
            if (entry.getValue().isString())
                labels.put(entry.getKey(), entry.getValue().asString());
        }
        // history has an entry per layer plus empty_layer entries (ENV, LABEL...), in order
        var names = new ArrayList<String>();
        for (JsonNode entry : json.path("history")) {
            if (entry.path("empty_layer").asBoolean(false)) continue;
            names.add(entry.path("comment").asString(null));
        }
        return new Config(labels, names.size() == layerCount ? names : null);
    }

    /** The image of a manifest and its configuration. */
    static RegistryImage of(RegistryReference reference, Manifest manifest, Config config) {
        var layers = new ArrayList<Layer>();
        for (int i = 0; i < manifest.layers().size(); i++) {
            var d = manifest.layers().get(i);
            layers.add(new Layer(
                    d.digest(),
                    d.mediaType(),
                    d.size(),
                    config.layerNames() == null ? null : config.layerNames().get(i)));
        }
        return new RegistryImage(reference, config.labels(), layers);
    }

    /**
     * The layers holding the script version's code, in order: the image's last layers named as the builder names the
     * code's (the language's dependency directory, {@code harness}, {@code script}); never the runtime's. Empty when
     * the image does not end in a harness and a script layer (not made by the builder, or history without names): its
     * code cannot be told from the rest.
     */
    List<Layer> codeLayers() {
        String language = labels.getOrDefault(DockerScriptRuntime.LANGUAGE_LABEL, LanguageRuntime.DEFAULT);
        String dependencies;
        try {
            dependencies = LanguageRuntime.of(language).dependencyDir();
        } catch (RuntimeException e) {
            return List.of();
        }
        Set<String> code = Set.of(dependencies, "harness", "script");
        int first = layers.size();
        while (first > 0
                && layers.get(first - 1).name() != null
                && code.contains(layers.get(first - 1).name())) {
            first--;
        }
        var found = layers.subList(first, layers.size());
        boolean harness = found.stream().anyMatch(l -> "harness".equals(l.name()));
        boolean script = found.stream().anyMatch(l -> "script".equals(l.name()));
        return harness && script ? found : List.of();
    }

    private static String mediaType(String contentType) {
        if (contentType == null) return null;
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).strip();
    }
}
