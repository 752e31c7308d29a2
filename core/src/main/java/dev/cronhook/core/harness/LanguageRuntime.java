package dev.cronhook.core.harness;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the builder and the executors need to know of a script language, as data: the interpreter its base is made
 * from, what else of the host's installation goes with it, its harness, where its code and dependencies sit in an
 * image, how it is started and which resolver installs its dependencies. A third language is a harness and one more
 * entry here.
 *
 * @param language the name a script's {@code language} field gives
 * @param interpreter the interpreter's name on the PATH ({@code node}, {@code python3})
 * @param libraryProbe arguments to the interpreter that print, one a line, the directories and files of the host's
 *     installation the runtime needs besides its binary (Python's standard library, the CA bundle its ssl module
 *     reads); empty for none
 * @param harnessFile the harness's file name, a resource beside {@link Harness} and a file in {@link Harness#APP_DIR}
 * @param scriptFile the file the script's code is written to, beside the harness
 * @param entryFile the name the entry of a multi-file script has among its files ({@code index.mjs}, {@code main.py});
 *     it is written to {@code scriptFile}, the other files beside it
 * @param manifestFile the dependency manifest written beside the code ({@code package.json}, {@code requirements.txt})
 * @param dependencyDir the directory under {@link Harness#APP_DIR} its installed dependencies go to
 * @param resolver the dependency resolver ({@code npm}, {@code pip})
 * @param environment the image's environment besides PATH
 */
public record LanguageRuntime(
        String language,
        String interpreter,
        List<String> libraryProbe,
        String harnessFile,
        String scriptFile,
        String entryFile,
        String manifestFile,
        String dependencyDir,
        String resolver,
        Map<String, String> environment) {

    public static final String DEFAULT = "node";

    public static final LanguageRuntime NODE = new LanguageRuntime(
            "node",
            "node",
            List.of(),
            Harness.FILE_NAME,
            Harness.SCRIPT_FILE_NAME,
            "index.mjs",
            "package.json",
            "node_modules",
            "npm",
            Map.of("NODE_ENV", "production"));

    public static final LanguageRuntime PYTHON = new LanguageRuntime(
            "python",
            "python3",
            List.of(
                    "-S",
                    "-c",
                    "import ssl, sysconfig; p = sysconfig.get_paths(); print(p['stdlib']); print(p['platstdlib']);"
                            + " print(ssl.get_default_verify_paths().openssl_cafile)"),
            "harness.py",
            "script.py",
            "main.py",
            "requirements.txt",
            "site-packages",
            "pip",
            Map.of(
                    "PYTHONPATH", Harness.APP_DIR + "/site-packages",
                    "PYTHONDONTWRITEBYTECODE", "1",
                    "PYTHONUNBUFFERED", "1",
                    "PYTHONNOUSERSITE", "1",
                    // UTF-8 without the locale coercion that would add LC_CTYPE to a script's environment
                    "PYTHONUTF8", "1",
                    "PYTHONCOERCECLOCALE", "0"));

    private static final List<LanguageRuntime> ALL = List.of(NODE, PYTHON);

    public LanguageRuntime {
        libraryProbe = List.copyOf(libraryProbe);
        environment = Map.copyOf(environment);
    }

    /** The runtime of {@code language} (blank or null: Node.js); throws for a language Cronhook does not run. */
    public static LanguageRuntime of(String language) {
        if (language == null || language.isBlank()) return NODE;
        String name = language.strip().toLowerCase(Locale.ROOT);
        for (var runtime : ALL) {
            if (runtime.language.equals(name)) return runtime;
        }
        throw new UnknownLanguageException(language, names());
    }

    /** The languages Cronhook runs. */
    public static List<String> names() {
        return ALL.stream().map(LanguageRuntime::language).toList();
    }

    /**
     * Whether a file of a script may not have {@code path} because the image has its own file there: the harness, the
     * file the entry is written to, the manifest, a lockfile or the dependencies' directory.
     */
    public boolean reserves(String path) {
        return path.equals(harnessFile)
                || path.equals(scriptFile)
                || path.equals(manifestFile)
                || path.equals("package-lock.json")
                || path.equals(dependencyDir)
                || path.startsWith(dependencyDir + "/");
    }

    /** The image's entry command, with the interpreter where the base puts it. */
    public List<String> entrypoint(String interpreterPath) {
        return List.of(interpreterPath, Harness.APP_DIR + "/" + harnessFile);
    }

    /** The harness's source, from the classpath. */
    public byte[] harnessSource() {
        try (InputStream in = Harness.class.getResourceAsStream(harnessFile)) {
            if (in == null) throw new IllegalStateException(harnessFile + " missing from the classpath");
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A script's language that Cronhook does not run. */
    public static final class UnknownLanguageException extends IllegalArgumentException {
        public UnknownLanguageException(String language, List<String> known) {
            super("unknown language '" + language + "'; Cronhook runs " + String.join(", ", known));
        }
    }
}
