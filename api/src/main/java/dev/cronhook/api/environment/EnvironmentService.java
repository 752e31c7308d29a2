package dev.cronhook.api.environment;

import dev.cronhook.api.db.Tx;
import dev.cronhook.api.error.EnvironmentConflictException;
import dev.cronhook.api.error.EnvironmentNotFoundException;
import dev.cronhook.api.error.EnvironmentProtectedException;
import dev.cronhook.core.validation.Violations;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.springframework.stereotype.Service;

/**
 * A user's environments: dev and prod always, others by name. A protected environment's scripts change only by
 * promotion; its secrets, runs and pause switch stay the owner's to use.
 */
@Service
public class EnvironmentService {
    /** An environment as the API shows it. */
    public record EnvironmentView(
            String name,

            @com.fasterxml.jackson.annotation.JsonProperty("protected")
            boolean isProtected,

            long scripts) {}

    private final EnvironmentRepository environments;
    private final Tx tx;

    public EnvironmentService(EnvironmentRepository environments, Tx tx) {
        this.environments = environments;
        this.tx = tx;
    }

    /** dev and prod first, then the others by name. */
    public List<EnvironmentView> list(UUID ownerId) {
        var rows = environments.list(ownerId);
        var out = new ArrayList<EnvironmentView>();
        for (String builtIn : EnvironmentName.BUILT_IN) {
            boolean isProtected = rows.stream().anyMatch(r -> r.name().equals(builtIn) && r.isProtected());
            out.add(new EnvironmentView(builtIn, isProtected, environments.scriptCount(ownerId, builtIn)));
        }
        for (var row : rows) {
            if (EnvironmentName.BUILT_IN.contains(row.name())) continue;
            out.add(new EnvironmentView(row.name(), row.isProtected(), environments.scriptCount(ownerId, row.name())));
        }
        return out;
    }

    /** The environment, or EnvironmentNotFoundException naming the ones the user has. */
    public EnvironmentView require(UUID ownerId, String name) {
        var row = environments.find(ownerId, name);
        if (row.isEmpty() && !EnvironmentName.BUILT_IN.contains(name)) {
            throw new EnvironmentNotFoundException(
                    name, list(ownerId).stream().map(EnvironmentView::name).toList());
        }
        return new EnvironmentView(
                name,
                row.map(EnvironmentRepository.EnvironmentRow::isProtected).orElse(false),
                environments.scriptCount(ownerId, name));
    }

    /** Throws unless the environment exists and is not protected: for every change but a promotion. */
    public void requireChangeable(UUID ownerId, String name) {
        if (require(ownerId, name).isProtected()) throw new EnvironmentProtectedException(name);
    }

    public EnvironmentView create(UUID ownerId, String name, boolean isProtected) {
        checkName(name);
        if (EnvironmentName.BUILT_IN.contains(name) || !environments.insert(ownerId, name, isProtected)) {
            throw new EnvironmentConflictException("you already have an environment named '" + name + "'");
        }
        return require(ownerId, name);
    }

    public EnvironmentView setProtected(UUID ownerId, String name, boolean isProtected) {
        return tx.inTransaction(() -> {
            require(ownerId, name);
            environments.setProtected(ownerId, name, isProtected);
            return require(ownerId, name);
        });
    }

    /** Deletes an environment the user made, with its secrets; dev, prod and one with scripts stay. */
    public void delete(UUID ownerId, String name) {
        tx.inTransaction(() -> {
            var environment = require(ownerId, name);
            if (EnvironmentName.BUILT_IN.contains(name)) {
                throw new EnvironmentConflictException("dev and prod cannot be deleted");
            }
            if (environment.scripts() > 0) {
                throw new EnvironmentConflictException("environment " + name + " still has " + environment.scripts()
                        + " script(s); delete them first");
            }
            environments.delete(ownerId, name);
        });
    }

    private static void checkName(String name) {
        String problem = EnvironmentName.problem(name);
        if (problem != null) new Violations().add("name", problem).throwIfAny();
    }
}
