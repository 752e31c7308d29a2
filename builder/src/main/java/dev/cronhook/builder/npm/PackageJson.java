package dev.cronhook.builder.npm;

import dev.cronhook.core.wire.Wire;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/** The package.json of a script: an ES module package with the version's dependencies, keys sorted. */
public final class PackageJson {
    private PackageJson() {}

    public static String render(Map<String, String> dependencies) {
        var json = new LinkedHashMap<String, Object>();
        json.put("name", "script");
        json.put("private", true);
        json.put("type", "module");
        if (!dependencies.isEmpty()) json.put("dependencies", new TreeMap<>(dependencies));
        return Wire.json().writerWithDefaultPrettyPrinter().writeValueAsString(json) + "\n";
    }
}
