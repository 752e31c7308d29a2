package dev.cronhook.api.script;

import dev.cronhook.api.db.Blocking;
import dev.cronhook.api.run.RunService;
import dev.cronhook.api.user.CurrentUser;
import dev.cronhook.core.build.BuildState;
import dev.cronhook.core.validation.InvalidInputException;
import dev.cronhook.core.validation.Violations;
import java.lang.reflect.RecordComponent;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** The scripts API: scripts, their versions, deploys (and so rollbacks) and webhook tokens. */
@RestController
@RequestMapping("/api/scripts")
public class ScriptController {
    /** How long {@code POST /api/scripts?wait=READY} waits for the first build at most. */
    static final Duration CREATE_WAIT = Duration.ofMinutes(2);

    private static final String MERGE_PATCH = "application/merge-patch+json";

    private final ScriptService service;
    private final RunService runs;
    private final JsonMapper json;

    public ScriptController(ScriptService service, RunService runs, JsonMapper json) {
        this.service = service;
        this.runs = runs;
        this.json = json;
    }

    /** The body of a manual run: the event the script receives (trigger and runId are set by Cronhook). */
    public record ManualRunRequest(JsonNode event) {}

    /** A run that was accepted: its id and where to follow it. */
    public record RunAccepted(UUID id, String status, String url) {}

    @PostMapping(path = "/{id}/runs", consumes = MediaType.APPLICATION_JSON_VALUE)
    public Mono<ResponseEntity<RunAccepted>> run(
            @AuthenticationPrincipal CurrentUser user, @PathVariable UUID id, @RequestBody ManualRunRequest request) {
        if (request.event() != null && !request.event().isObject()) {
            throw new InvalidInputException("event", "must be a JSON object");
        }
        return Blocking.call(() -> runs.launchManual(user, id, request.event())).map(launched -> {
            String url = "/api/runs/" + launched.runId();
            return ResponseEntity.accepted()
                    .location(URI.create(url))
                    .body(new RunAccepted(launched.runId(), "QUEUED", url));
        });
    }

    /**
     * Creates a script. With {@code ?wait=READY} the answer waits (up to {@link #CREATE_WAIT}) until the first build
     * has ended: READY and deployed, so the webhook answers, or FAILED; past that it shows the build as it stands.
     */
    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    public Mono<ResponseEntity<ScriptView>> create(
            @AuthenticationPrincipal CurrentUser user,
            @RequestBody ScriptRequest request,
            @RequestParam(name = "wait", required = false) String wait) {
        if (wait != null && !wait.equals("READY")) throw new InvalidInputException("wait", "can only be READY");
        return Blocking.call(() -> service.create(user, request))
                .flatMap(s -> wait == null ? Mono.just(s) : built(user, s))
                .map(s -> ResponseEntity.created(URI.create("/api/scripts/" + s.id()))
                        .body(s));
    }

    private Mono<ScriptView> built(CurrentUser user, ScriptView created) {
        return Flux.interval(Duration.ofMillis(200))
                .concatMap(i -> Blocking.call(() -> service.get(user, created.id())))
                .filter(s -> s.buildState() == BuildState.FAILED
                        || (s.buildState() == BuildState.READY
                                && Integer.valueOf(s.version()).equals(s.activeVersion())))
                .next()
                .timeout(CREATE_WAIT, Blocking.call(() -> service.get(user, created.id())));
    }

    /** The caller's scripts, of every environment or of one ({@code ?environment=dev}). */
    @GetMapping
    public Mono<List<ScriptView>> list(
            @AuthenticationPrincipal CurrentUser user,
            @RequestParam(name = "environment", required = false) String environment) {
        return Blocking.call(() -> service.list(user, environment));
    }

    @GetMapping("/{id}")
    public Mono<ScriptView> get(@AuthenticationPrincipal CurrentUser user, @PathVariable UUID id) {
        return Blocking.call(() -> service.get(user, id));
    }

    @PutMapping(path = "/{id}", consumes = MediaType.APPLICATION_JSON_VALUE)
    public Mono<ScriptView> update(
            @AuthenticationPrincipal CurrentUser user, @PathVariable UUID id, @RequestBody ScriptRequest request) {
        return Blocking.call(() -> service.update(user, id, request));
    }

    /**
     * Changes some fields of a script (RFC 7396 JSON Merge Patch): fields left out keep their values, {@code null}
     * sets one back to its default (removes the cron trigger, a dependency, the concurrency limit). Then as PUT.
     */
    @PatchMapping(
            path = "/{id}",
            consumes = {MERGE_PATCH, MediaType.APPLICATION_JSON_VALUE})
    public Mono<ScriptView> patch(
            @AuthenticationPrincipal CurrentUser user, @PathVariable UUID id, @RequestBody JsonNode patch) {
        if (patch == null || !patch.isObject()) throw new InvalidInputException("body", "must be a JSON object");
        var unknown = new Violations();
        var fields = componentNames(ScriptRequest.class);
        for (String name : patch.propertyNames()) {
            if (!fields.contains(name)) unknown.add(name, "is not a field of a script");
        }
        unknown.throwIfAny();
        return Blocking.call(() -> {
            var current = (ObjectNode) requestShaped(json.valueToTree(service.get(user, id)), ScriptRequest.class);
            // the view gives the entry twice (as code, and among the files): a patch of code is one of the entry
            if (current.get("files") instanceof ObjectNode files && patch.has("code") && !patch.has("files")) {
                String entry = dev.cronhook.core.harness.LanguageRuntime.of(
                                current.path("language").asString(null))
                        .entryFile();
                files.set(entry, patch.get("code"));
            }
            current.remove("code");
            var merged = MergePatch.apply(current, patch);
            ScriptRequest request;
            try {
                request = json.treeToValue(merged, ScriptRequest.class);
            } catch (tools.jackson.core.JacksonException e) {
                // a field of the wrong type: answered as a body that could not be read, naming the field
                throw new org.springframework.web.server.ServerWebInputException(
                        "the merge patch does not fit a script", null, e);
            }
            return service.update(user, id, request);
        });
    }

    /** A script as the API shows it, cut to the fields of {@code type} (a request record), nested records too. */
    private static JsonNode requestShaped(JsonNode node, Class<?> type) {
        if (!(node instanceof ObjectNode object) || !type.isRecord()) return node;
        var shaped = object.objectNode();
        for (RecordComponent c : type.getRecordComponents()) {
            var value = object.get(c.getName());
            if (value != null && !value.isNull()) shaped.set(c.getName(), requestShaped(value, c.getType()));
        }
        return shaped;
    }

    private static Set<String> componentNames(Class<?> record) {
        return Arrays.stream(record.getRecordComponents())
                .map(RecordComponent::getName)
                .collect(java.util.stream.Collectors.toSet());
    }

    @DeleteMapping("/{id}")
    public Mono<ResponseEntity<Void>> delete(@AuthenticationPrincipal CurrentUser user, @PathVariable UUID id) {
        return Blocking.run(() -> service.delete(user, id))
                .then(Mono.just(ResponseEntity.noContent().build()));
    }

    @GetMapping("/{id}/versions")
    public Mono<List<VersionView>> versions(@AuthenticationPrincipal CurrentUser user, @PathVariable UUID id) {
        return Blocking.call(() -> service.versions(user, id));
    }

    @PostMapping("/{id}/versions/{version}/deploy")
    public Mono<ScriptView> deploy(
            @AuthenticationPrincipal CurrentUser user, @PathVariable UUID id, @PathVariable int version) {
        return Blocking.call(() -> service.deploy(user, id, version));
    }

    @PostMapping("/{id}/pause")
    public Mono<ScriptView> pause(@AuthenticationPrincipal CurrentUser user, @PathVariable UUID id) {
        return Blocking.call(() -> service.setPaused(user, id, true));
    }

    @PostMapping("/{id}/resume")
    public Mono<ScriptView> resume(@AuthenticationPrincipal CurrentUser user, @PathVariable UUID id) {
        return Blocking.call(() -> service.setPaused(user, id, false));
    }

    @PostMapping("/{id}/webhook/rotate")
    public Mono<ScriptView> rotateWebhook(@AuthenticationPrincipal CurrentUser user, @PathVariable UUID id) {
        return Blocking.call(() -> service.rotateWebhook(user, id));
    }
}
