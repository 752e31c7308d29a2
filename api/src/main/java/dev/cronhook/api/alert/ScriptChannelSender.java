package dev.cronhook.api.alert;

import dev.cronhook.api.error.NoDeployedVersionException;
import dev.cronhook.api.run.RunService;
import dev.cronhook.api.script.ScriptRepository;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.springframework.dao.DuplicateKeyException;
import tools.jackson.databind.json.JsonMapper;

/**
 * "Run this script": a manual run of the channel's handler script whose event is {@code {"alert": <the alert>}}.
 * The run's id is derived from the delivery's, so a delivery attempted again after a crash makes one run.
 */
final class ScriptChannelSender implements ChannelSender {
    private final ScriptRepository scripts;
    private final RunService runs;
    private final JsonMapper json;

    ScriptChannelSender(ScriptRepository scripts, RunService runs, JsonMapper json) {
        this.scripts = scripts;
        this.runs = runs;
        this.json = json;
    }

    @Override
    public Outcome send(Channel channel, String secret, AlertOutbox.Delivery delivery, String payload) {
        var script = scripts.find(channel.ownerId(), channel.runScript()).orElse(null);
        if (script == null) return Outcome.refused("the handler script " + channel.runScript() + " is gone");
        var event = json.createObjectNode();
        event.set("alert", json.readTree(payload));
        var runId = UUID.nameUUIDFromBytes(("alert:" + delivery.id()).getBytes(StandardCharsets.UTF_8));
        try {
            runs.launch(RunService.Launch.manual(runId, script, event));
            return Outcome.ok(null);
        } catch (DuplicateKeyException e) {
            // launched by an earlier attempt
            return Outcome.ok(null);
        } catch (NoDeployedVersionException e) {
            return Outcome.failed(null, e.getMessage());
        } catch (RuntimeException e) {
            if (isDuplicate(e)) return Outcome.ok(null);
            return Outcome.failed(null, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private static boolean isDuplicate(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof DuplicateKeyException) return true;
            if (t instanceof java.sql.SQLException sql && "23505".equals(sql.getSQLState())) return true;
        }
        return false;
    }
}
