package dev.cronhook.api.alert;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.cronhook.api.error.ResourceNotFoundException;
import dev.cronhook.api.script.ScriptRepository;
import dev.cronhook.api.secret.SecretCipher;
import dev.cronhook.api.user.CurrentUser;
import dev.cronhook.core.net.PrivateAddressException;
import dev.cronhook.core.net.PrivateAddressGuard;
import dev.cronhook.core.validation.Violations;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Service;
import tools.jackson.databind.json.JsonMapper;

/**
 * Alert channels: validated (a user-given URL or SMTP host must not lead to a private address, unless the operator
 * allows it), their secrets sealed and never shown back, and a test alert on request.
 */
@Service
public class ChannelService {
    private static final Set<String> TLS = Set.of("none", "starttls", "tls");

    /** The body of POST and PUT; on PUT an omitted secret ({@code secret}, {@code password}, Slack's url) is kept. */
    public record ChannelRequest(
            String name,
            String kind,
            UUID script,
            String url,
            String secret,
            String host,
            Integer port,
            String tls,
            String username,
            String password,
            String from,
            List<String> to,
            UUID runScript) {}

    /** A channel as the API shows it: no secret, and of a Slack URL (a credential) only its host. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ChannelView(
            UUID id,
            String name,
            String kind,
            UUID script,
            String url,
            String host,
            Integer port,
            String tls,
            String username,
            String from,
            List<String> to,
            UUID runScript,
            boolean hasSecret,
            Instant createdAt) {
        static ChannelView of(Channel c) {
            return new ChannelView(
                    c.id(),
                    c.name(),
                    c.kind().wire(),
                    c.scriptId(),
                    c.kind() == Channel.Kind.WEBHOOK ? c.url() : null,
                    c.host(),
                    c.port(),
                    c.tls(),
                    c.username(),
                    c.from(),
                    c.to(),
                    c.runScript(),
                    c.hasSecret(),
                    c.createdAt());
        }
    }

    private final ChannelRepository channels;
    private final ScriptRepository scripts;
    private final SecretCipher cipher;
    private final AlertOutbox outbox;
    private final JsonMapper json;
    private final PrivateAddressGuard guard;
    private final AlertDispatcher dispatcher;

    public ChannelService(
            ChannelRepository channels,
            ScriptRepository scripts,
            SecretCipher cipher,
            AlertOutbox outbox,
            JsonMapper json,
            AlertDispatcher dispatcher,
            @Value("${cronhook.egress.allow-private:}") String allowPrivate) {
        this.channels = channels;
        this.scripts = scripts;
        this.cipher = cipher;
        this.outbox = outbox;
        this.json = json;
        this.dispatcher = dispatcher;
        this.guard = PrivateAddressGuard.allowing(allowPrivate);
    }

    static String secretContext(Channel c) {
        return "alert-channel/" + c.ownerId() + "/" + c.id();
    }

    public List<ChannelView> list(CurrentUser user) {
        return channels.listAll(user.id()).stream().map(ChannelView::of).toList();
    }

    public ChannelView get(CurrentUser user, UUID id) {
        return ChannelView.of(find(user, id));
    }

    public ChannelView create(CurrentUser user, ChannelRequest r) {
        return save(user, UUID.randomUUID(), null, r);
    }

    public ChannelView update(CurrentUser user, UUID id, ChannelRequest r) {
        return save(user, id, find(user, id), r);
    }

    public void delete(CurrentUser user, UUID id) {
        if (!channels.delete(user.id(), id)) throw new ResourceNotFoundException("alert channel " + id);
    }

    /** Writes a test alert for the channel; the dispatcher sends it like any other. Returns the delivery id. */
    public UUID test(CurrentUser user, UUID id) {
        var c = find(user, id);
        var p = json.createObjectNode();
        p.put("event", "test");
        p.put("text", "Cronhook: a test alert for the channel \"" + c.name() + "\"");
        var ch = p.putObject("channel");
        ch.put("id", c.id().toString());
        ch.put("name", c.name());
        p.put("at", Instant.now().toString());
        var delivery = UUID.randomUUID();
        outbox.add(delivery, null, c.id(), user.id(), "test", json.writeValueAsString(p));
        dispatcher.wake();
        return delivery;
    }

    Channel find(CurrentUser user, UUID id) {
        return channels.find(user.id(), id).orElseThrow(() -> new ResourceNotFoundException("alert channel " + id));
    }

    private ChannelView save(CurrentUser user, UUID id, Channel existing, ChannelRequest r) {
        var v = new Violations();
        if (r == null) v.add("body", "is required").throwIfAny();
        String name = r.name() == null ? null : r.name().trim();
        if (name == null || name.isEmpty()) v.add("name", "is required");
        else if (name.length() > 100) v.add("name", "must be at most 100 characters");
        Channel.Kind kind = null;
        if (r.kind() == null) v.add("kind", "is required: one of email, slack, webhook, script");
        else {
            try {
                kind = Channel.Kind.of(r.kind());
            } catch (IllegalArgumentException e) {
                v.add("kind", "must be one of email, slack, webhook, script");
            }
        }
        if (existing != null && kind != null && kind != existing.kind()) {
            v.add("kind", "cannot change (delete the channel and make a new one)");
        }
        if (r.script() != null && scripts.find(user.id(), r.script()).isEmpty()) {
            v.add("script", "is not one of your scripts");
        }
        v.throwIfAny();
        String url = null, host = null, tls = null, username = null, from = null, secret = null;
        Integer port = null;
        List<String> to = null;
        UUID runScript = null;
        boolean secretGiven;
        switch (kind) {
            case WEBHOOK -> {
                url = checkUrl(r.url(), "url", v);
                secret = r.secret();
                secretGiven = secret != null;
                if (secret == null && existing == null) {
                    v.add("secret", "is required: the receiver checks the signature with it");
                } else if (secret != null && (secret.length() < 16 || secret.length() > 512)) {
                    v.add("secret", "must be 16 to 512 characters");
                }
            }
            case SLACK -> {
                secretGiven = r.url() != null;
                if (r.url() == null && existing == null) v.add("url", "is required: the incoming webhook's URL");
                if (r.url() != null) secret = checkUrl(r.url(), "url", v);
            }
            case EMAIL -> {
                host = r.host() == null ? null : r.host().trim();
                port = r.port() == null ? 587 : r.port();
                tls = r.tls() == null ? "starttls" : r.tls();
                if (!TLS.contains(tls)) v.add("tls", "must be one of none, starttls, tls");
                if (port < 1 || port > 65535) v.add("port", "must be between 1 and 65535");
                if (host == null || host.isEmpty()) v.add("host", "is required: the SMTP server");
                else if (!host.matches("[A-Za-z0-9.:\\[\\]-]{1,253}")) v.add("host", "must be a host name or address");
                else if (port >= 1 && port <= 65535) checkHost(host, port, v);
                username = r.username() == null || r.username().isBlank() ? null : r.username();
                if (username != null && username.length() > 320) v.add("username", "must be at most 320 characters");
                secret = r.password();
                secretGiven = secret != null;
                if (secret != null && secret.length() > 1024) v.add("password", "must be at most 1024 characters");
                from = r.from();
                if (from == null) v.add("from", "is required: the sender's address");
                else checkAddress(from, "from", v);
                to = r.to();
                if (to == null || to.isEmpty()) v.add("to", "is required: at least one address");
                else if (to.size() > 20) v.add("to", "must list at most 20 addresses");
                else for (var t : to) checkAddress(t, "to", v);
            }
            case SCRIPT -> {
                secretGiven = false;
                runScript = r.runScript();
                if (runScript == null) v.add("runScript", "is required: the script to run with the alert");
                else if (scripts.find(user.id(), runScript).isEmpty()) {
                    v.add("runScript", "is not one of your scripts");
                }
            }
            default -> throw new IllegalStateException();
        }
        v.throwIfAny();
        var channel = new Channel(
                id,
                user.id(),
                r.script(),
                name,
                kind,
                url,
                host,
                port,
                tls,
                username,
                from,
                to == null ? null : List.copyOf(to),
                runScript,
                secretGiven || (existing != null && existing.hasSecret()),
                existing == null ? Instant.now() : existing.createdAt());
        var sealed = secret == null ? null : cipher.seal(secret, secretContext(channel));
        channels.upsert(channel, sealed, existing != null && !secretGiven);
        return ChannelView.of(find(user, id));
    }

    private String checkUrl(String url, String field, Violations v) {
        if (url == null) {
            v.add(field, "is required");
            return null;
        }
        try {
            var uri = URI.create(url);
            if (uri.getScheme() == null || !uri.getScheme().matches("https?") || uri.getHost() == null) {
                v.add(field, "must be an http(s) URL");
                return null;
            }
            if (url.length() > 2000) {
                v.add(field, "must be at most 2000 characters");
                return null;
            }
            try {
                guard.check(uri);
            } catch (PrivateAddressException e) {
                v.add(field, "must be a public address: " + e.getMessage());
            } catch (UnknownHostException e) {
                // not resolvable now: the check at every delivery still applies
            }
            return url;
        } catch (IllegalArgumentException e) {
            v.add(field, "must be an http(s) URL");
            return null;
        }
    }

    private void checkHost(String host, int port, Violations v) {
        try {
            guard.check(host, port);
        } catch (PrivateAddressException e) {
            v.add("host", "must be a public address: " + e.getMessage());
        } catch (UnknownHostException e) {
            // checked again at every delivery
        }
    }

    private static void checkAddress(String address, String field, Violations v) {
        try {
            if (address.length() > 320) throw new AddressException("too long");
            new InternetAddress(address, true);
        } catch (AddressException e) {
            v.add(
                    field,
                    "\"" + (address.length() > 50 ? address.substring(0, 50) + "…" : address)
                            + "\" is not an e-mail address");
        }
    }
}
