package dev.cronhook.executor.runtime.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class RegistryImageTest {
    static final String REF = "127.0.0.1:5000/cronhook/scripts/x@sha256:" + "00".repeat(32);

    static String digest(char c) {
        return "sha256:" + String.valueOf(c).repeat(64);
    }

    static byte[] manifest(String mediaType, String layerType, int layers) {
        var json = new StringBuilder("{\"schemaVersion\":2,")
                .append(mediaType == null ? "" : "\"mediaType\":\"" + mediaType + "\",")
                .append("\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"")
                .append(digest('c'))
                .append("\",\"size\":1048},\"layers\":[");
        for (int i = 0; i < layers; i++) {
            if (i > 0) json.append(',');
            json.append("{\"mediaType\":\"")
                    .append(layerType)
                    .append("\",\"digest\":\"")
                    .append(digest((char) ('1' + i)))
                    .append("\",\"size\":")
                    .append(100 + i)
                    .append('}');
        }
        return json.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }

    static byte[] config(String... comments) {
        var json = new StringBuilder("{\"config\":{\"Labels\":{\"dev.cronhook.harness.protocol\":\"2\","
                + "\"dev.cronhook.language\":\"node\"}},\"history\":[");
        for (int i = 0; i < comments.length; i++) {
            if (i > 0) json.append(',');
            json.append(
                    comments[i] == null
                            ? "{\"created_by\":\"ENV\",\"empty_layer\":true}"
                            : "{\"comment\":\"" + comments[i] + "\"}");
        }
        return json.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aDockerSchema2ManifestAsJibPushesItIsRead() throws Exception {
        var manifest = RegistryImage.parseManifest(
                manifest(RegistryImage.DOCKER_MANIFEST, "application/vnd.docker.image.rootfs.diff.tar.gzip", 3),
                RegistryImage.DOCKER_MANIFEST);

        assertThat(manifest.config().digest()).isEqualTo(digest('c'));
        assertThat(manifest.layers())
                .extracting(RegistryImage.Descriptor::digest)
                .containsExactly(digest('1'), digest('2'), digest('3'));
        assertThat(manifest.layers()).extracting(RegistryImage.Descriptor::size).containsExactly(100L, 101L, 102L);
    }

    @Test
    void anOciManifestIsReadByItsContentTypeOrItsOwnMediaType() throws Exception {
        var body = manifest(null, "application/vnd.oci.image.layer.v1.tar+gzip", 2);

        assertThat(RegistryImage.parseManifest(body, RegistryImage.OCI_MANIFEST + "; charset=utf-8")
                        .layers())
                .hasSize(2);
        assertThat(RegistryImage.parseManifest(
                                manifest(RegistryImage.OCI_MANIFEST, "application/vnd.oci.image.layer.v1.tar", 1),
                                "application/octet-stream")
                        .layers())
                .hasSize(1);
    }

    @Test
    void anIndexOfPlatformsOrASchema1ManifestIsNotTaken() {
        var index = ("{\"schemaVersion\":2,\"mediaType\":\"" + RegistryImage.OCI_INDEX + "\",\"manifests\":[]}")
                .getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> RegistryImage.parseManifest(index, RegistryImage.OCI_INDEX))
                .isInstanceOf(RegistryUnreadableException.class)
                .hasMessageContaining("several platforms");
        var schema1 = "{\"schemaVersion\":1,\"fsLayers\":[]}".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> RegistryImage.parseManifest(
                        schema1, "application/vnd.docker.distribution.manifest.v1+prettyjws"))
                .isInstanceOf(RegistryUnreadableException.class);
        assertThatThrownBy(() -> RegistryImage.parseManifest(
                        "not json".getBytes(StandardCharsets.UTF_8), RegistryImage.OCI_MANIFEST))
                .isInstanceOf(RegistryUnreadableException.class);
    }

    @Test
    void theCodeLayersAreTheLastOnesNamedAsTheBuilderNamesThemNeverTheRuntime() throws Exception {
        var manifest = RegistryImage.parseManifest(
                manifest(RegistryImage.DOCKER_MANIFEST, "application/vnd.docker.image.rootfs.diff.tar.gzip", 4), null);
        var config = RegistryImage.parseConfig(config("node-runtime", null, "node_modules", "harness", "script"), 4);
        var image = RegistryImage.of(RegistryReference.parse(REF).orElseThrow(), manifest, config);

        assertThat(image.labels()).containsEntry("dev.cronhook.harness.protocol", "2");
        assertThat(image.codeLayers())
                .extracting(RegistryImage.Layer::name)
                .containsExactly("node_modules", "harness", "script");
        assertThat(image.codeLayers())
                .extracting(RegistryImage.Layer::digest)
                .containsExactly(digest('2'), digest('3'), digest('4'));
        assertThat(image.codeLayers()).allMatch(RegistryImage.Layer::gzipped);
    }

    @Test
    void anImageWhoseLayersAreNotNamedHasNoCodeLayersToTell() throws Exception {
        var manifest = RegistryImage.parseManifest(
                manifest(RegistryImage.DOCKER_MANIFEST, "application/vnd.docker.image.rootfs.diff.tar.gzip", 2), null);
        var reference = RegistryReference.parse(REF).orElseThrow();

        var unnamed = RegistryImage.of(reference, manifest, RegistryImage.parseConfig(config("a", "b"), 2));
        var tooFewEntries = RegistryImage.of(reference, manifest, RegistryImage.parseConfig(config("script"), 2));
        var noHarness =
                RegistryImage.of(reference, manifest, RegistryImage.parseConfig(config("node-runtime", "script"), 2));

        assertThat(List.of(unnamed, tooFewEntries, noHarness))
                .allMatch(i -> i.codeLayers().isEmpty());
    }
}
