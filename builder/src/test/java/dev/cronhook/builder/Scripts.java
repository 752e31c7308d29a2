package dev.cronhook.builder;

import dev.cronhook.core.build.BuildRequest;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/** Test data: {@code aScript().withDependency("lodash", "^4.17.21").withCode(...).version(1)}. */
public final class Scripts {
    private UUID id = UUID.randomUUID();
    private String code = "export default async function (event, ctx) { return { ok: true }; }\n";
    private final Map<String, String> dependencies = new LinkedHashMap<>();
    private String lockfile;
    private String language = "node";
    private final Map<String, String> files = new LinkedHashMap<>();

    private Scripts() {}

    public static Scripts aScript() {
        return new Scripts();
    }

    public Scripts withId(UUID scriptId) {
        this.id = scriptId;
        return this;
    }

    public Scripts withCode(String code) {
        this.code = code;
        return this;
    }

    public Scripts withDependency(String name, String range) {
        dependencies.put(name, range);
        return this;
    }

    public Scripts withLanguage(String name) {
        this.language = name;
        return this;
    }

    /** A file beside the script, {@code path} relative to it. */
    public Scripts withFile(String path, String content) {
        files.put(path, content);
        return this;
    }

    public Scripts withLockfile(String lock) {
        this.lockfile = lock;
        return this;
    }

    public UUID id() {
        return id;
    }

    public BuildRequest version(int version) {
        return new BuildRequest(id, version, code, dependencies, lockfile, Instant.now(), language, files);
    }

    /** The code of a script that computes something with lodash and dayjs and prints it when imported. */
    public static String lodashAndDayjsCode(String marker) {
        return """
                import _ from "lodash";
                import dayjs from "dayjs";
                export default async function (event, ctx) {
                  const sum = _.sum([1, 2, 3, 4]);
                  const date = dayjs("2020-01-31").add(1, "day").format("YYYY-MM-DD");
                  return `%s sum=${sum} chunks=${JSON.stringify(_.chunk([1, 2, 3], 2))} date=${date}`;
                }
                """.formatted(marker);
    }

    /** A node command that imports /app/script.mjs, calls it and prints what it returns. */
    public static String[] printResultCommand() {
        return new String[] {
            "node",
            "--input-type=module",
            "-e",
            "const m = await import('/app/script.mjs'); console.log(await m.default({}, {}));"
        };
    }
}
