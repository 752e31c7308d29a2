package dev.cronhook.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * The files of one script's directory as the API takes them: path (relative, with {@code /}) to UTF-8 text, the
 * entry ({@code index.mjs} for Node.js, {@code main.py} for Python) among them. A {@code package.json} gives the
 * dependencies and a {@code requirements.txt} a Python script's requirements; neither is sent as a file. Skipped:
 * {@code node_modules}, {@code __pycache__}, dotfiles, {@code package-lock.json}, and what a {@code .cronhookignore}
 * (in the script's directory or the project's) matches.
 */
public record ScriptFiles(Map<String, String> files, Map<String, String> packageDependencies, String requirementsTxt) {
    public static final int MAX_FILES = 50;
    public static final int MAX_FILE_BYTES = 256 * 1024;
    public static final int MAX_TOTAL_BYTES = 1024 * 1024;

    /** The entry file of a language. */
    public static String entry(String language) {
        return "python".equals(language) ? "main.py" : "index.mjs";
    }

    /** Reads {@code dir}, the directory of script {@code name}, with the ignore patterns of {@code projectDir}. */
    public static ScriptFiles read(Path projectDir, Path dir, String name, String language) {
        if (!Files.isDirectory(dir)) {
            throw new CliException(ExitCode.USAGE, "script " + name + ": no directory " + dir);
        }
        var ignore = new ArrayList<PathMatcher>();
        ignore.addAll(ignorePatterns(projectDir.resolve(".cronhookignore")));
        if (!dir.equals(projectDir)) ignore.addAll(ignorePatterns(dir.resolve(".cronhookignore")));
        var problems = new ArrayList<String>();
        var files = new TreeMap<String, String>();
        Map<String, String> packageDependencies = null;
        String requirementsTxt = null;
        long total = 0;
        List<Path> found;
        try (var walk = Files.walk(dir)) {
            found = walk.filter(Files::isRegularFile)
                    .filter(p -> !skipped(dir.relativize(p), ignore))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new CliException(ExitCode.USAGE, "script " + name + ": cannot read " + dir + ": " + e.getMessage());
        }
        for (Path p : found) {
            String rel = dir.relativize(p).toString().replace('\\', '/');
            long size;
            try {
                size = Files.size(p);
            } catch (IOException e) {
                problems.add(rel + ": cannot read: " + e.getMessage());
                continue;
            }
            if (size > MAX_FILE_BYTES) {
                problems.add(
                        rel + ": " + size + " bytes, more than the " + MAX_FILE_BYTES / 1024 + " KiB a file may have");
                continue;
            }
            String text;
            try {
                text = utf8(Files.readAllBytes(p));
            } catch (CharacterCodingException e) {
                problems.add(rel + ": not UTF-8 text (binary files cannot be part of a script)");
                continue;
            } catch (IOException e) {
                problems.add(rel + ": cannot read: " + e.getMessage());
                continue;
            }
            if (rel.equals("package.json") && !"python".equals(language)) {
                packageDependencies = packageDependencies(text, problems);
                continue;
            }
            if (rel.equals("requirements.txt") && "python".equals(language)) {
                requirementsTxt = text;
                continue;
            }
            total += size;
            files.put(rel, text);
        }
        if (files.size() > MAX_FILES) {
            problems.add(files.size() + " files, more than the " + MAX_FILES + " a script may have (.cronhookignore"
                    + " leaves some out)");
        }
        if (total > MAX_TOTAL_BYTES) {
            problems.add(total + " bytes in all, more than the " + MAX_TOTAL_BYTES / 1024 + " KiB a script may have");
        }
        String entry = entry(language);
        if (!files.containsKey(entry)) problems.add("no " + entry + " (the entry of a " + language + " script)");
        if (!problems.isEmpty()) {
            throw new CliException(ExitCode.USAGE, "script " + name + " (" + dir + ") cannot be deployed", problems);
        }
        return new ScriptFiles(files, packageDependencies, requirementsTxt);
    }

    private static boolean skipped(Path rel, List<PathMatcher> ignore) {
        for (Path part : rel) {
            String s = part.toString();
            if (s.startsWith(".") || s.equals("node_modules") || s.equals("__pycache__")) return true;
        }
        if (rel.toString().equals("package-lock.json")) return true;
        for (var m : ignore) {
            if (m.matches(rel) || m.matches(rel.getFileName())) return true;
            // a pattern naming a directory leaves out everything under it
            for (Path parent = rel.getParent(); parent != null; parent = parent.getParent()) {
                if (m.matches(parent)) return true;
            }
        }
        return false;
    }

    /** The glob patterns of an ignore file, one a line, {@code #} comments; none when there is no file. */
    static List<PathMatcher> ignorePatterns(Path file) {
        if (!Files.isRegularFile(file)) return List.of();
        try {
            return ignorePatterns(Files.readAllLines(file));
        } catch (IOException e) {
            throw new CliException(ExitCode.USAGE, "cannot read " + file + ": " + e.getMessage());
        }
    }

    static List<PathMatcher> ignorePatterns(List<String> lines) {
        var fs = FileSystems.getDefault();
        var out = new ArrayList<PathMatcher>();
        for (String line : lines) {
            String p = line.strip();
            if (p.isEmpty() || p.startsWith("#")) continue;
            if (p.startsWith("/")) p = p.substring(1);
            if (p.endsWith("/")) p = p.substring(0, p.length() - 1);
            out.add(fs.getPathMatcher("glob:" + p));
        }
        return out;
    }

    private static String utf8(byte[] bytes) throws CharacterCodingException {
        return StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes))
                .toString();
    }

    /** The {@code dependencies} of a package.json's text. */
    static Map<String, String> packageDependencies(String text, List<String> problems) {
        JsonNode node;
        try {
            node = ApiClient.JSON.readTree(text);
        } catch (JacksonException e) {
            problems.add("package.json: not valid JSON: " + e.getOriginalMessage());
            return null;
        }
        var out = new LinkedHashMap<String, String>();
        JsonNode deps = node.path("dependencies");
        if (deps.isMissingNode() || deps.isNull()) return out;
        if (!deps.isObject()) {
            problems.add("package.json: dependencies must map package names to versions");
            return null;
        }
        for (var e : deps.properties()) {
            if (!e.getValue().isString())
                problems.add("package.json: dependencies." + e.getKey() + " must be a string");
            else out.put(e.getKey(), e.getValue().asString());
        }
        return out;
    }
}
