package dev.cronhook.builder.image;

/**
 * A built artifact: the reference an executor runs ({@code host/repo@sha256:...}, {@code repo:tag} in the local
 * engine, or {@code bundle:/abs/dir}) and its digest ({@code sha256:...}).
 */
public record BuiltImage(String imageRef, String digest) {}
