package dev.cronhook.api.log;

import dev.cronhook.api.db.Blocking;
import dev.cronhook.api.script.ScriptService;
import dev.cronhook.api.user.CurrentUser;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * A version's build: state, error, the build log (live while it builds, as server-sent events) and the packages
 * its lockfile resolved, with versions and integrity hashes (a small software bill of materials).
 */
@RestController
public class BuildLogController {
    /** One installed package of the lockfile. */
    public record LockedPackage(String name, String version, String integrity, String resolved) {}

    /** A version's build as JSON. */
    public record BuildView(
            int version, String state, String error, String image, String log, List<LockedPackage> packages) {}

    private final ScriptService scripts;
    private final LiveLog live;
    private final JsonMapper json;

    public BuildLogController(ScriptService scripts, LiveLog live, JsonMapper json) {
        this.scripts = scripts;
        this.live = live;
        this.json = json;
    }

    @GetMapping(path = "/api/scripts/{id}/versions/{version}/build", produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<BuildView> build(
            @AuthenticationPrincipal CurrentUser user, @PathVariable UUID id, @PathVariable int version) {
        return Blocking.call(() -> {
            var v = scripts.version(user, id, version);
            String log = v.buildLog();
            if (log == null || !v.buildState().isFinal()) {
                var sb = new StringBuilder();
                for (var line : LiveLog.lines(live.snapshot(LiveLog.Source.build(id, version)))) {
                    sb.append(line.text()).append('\n');
                }
                if (!sb.isEmpty() || log == null) log = sb.toString();
            }
            return new BuildView(
                    version, v.buildState().name(), v.buildError(), v.imageRef(), log, packages(v.lockfile()));
        });
    }

    @GetMapping(path = "/api/scripts/{id}/versions/{version}/build", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    public Flux<ServerSentEvent<Object>> stream(
            @AuthenticationPrincipal CurrentUser user, @PathVariable UUID id, @PathVariable int version) {
        return Blocking.call(() -> scripts.version(user, id, version)).flatMapMany(v -> {
            if (v.buildState().isFinal()
                    && live.snapshot(LiveLog.Source.build(id, version)).isEmpty()) {
                var lines = v.buildLog() == null
                        ? List.<String>of()
                        : List.of(v.buildLog().split("\n"));
                return Flux.fromIterable(lines)
                        .map(text -> ServerSentEvent.<Object>builder()
                                .event("line")
                                .data(Map.of("text", text))
                                .build())
                        .concatWith(Mono.just(
                                RunLogController.endEvent(v.buildState().name())));
            }
            return live.follow(LiveLog.Source.build(id, version), Duration.ofSeconds(10), () -> !scripts.version(
                                    user, id, version)
                            .buildState()
                            .isFinal())
                    .map(e -> e.end() != null
                            ? RunLogController.endEvent(e.end())
                            : RunLogController.lineEvent(e.line()));
        });
    }

    List<LockedPackage> packages(String lockfile) {
        var out = new ArrayList<LockedPackage>();
        if (lockfile == null || lockfile.isBlank()) return out;
        try {
            var packages = json.readTree(lockfile).path("packages");
            for (var entry : packages.properties()) {
                String path = entry.getKey();
                if (path.isEmpty()) continue; // the root project
                String name = path.substring(path.lastIndexOf("node_modules/") + "node_modules/".length());
                var p = entry.getValue();
                out.add(new LockedPackage(
                        name,
                        p.path("version").asString(null),
                        p.path("integrity").asString(null),
                        p.path("resolved").asString(null)));
            }
        } catch (RuntimeException e) {
            // an unreadable lockfile shows no packages rather than failing the page
        }
        return out;
    }
}
