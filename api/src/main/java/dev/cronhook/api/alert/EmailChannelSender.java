package dev.cronhook.api.alert;

import dev.cronhook.core.net.PrivateAddressException;
import dev.cronhook.core.net.PrivateAddressGuard;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Properties;
import tools.jackson.databind.json.JsonMapper;

/**
 * Alerts by e-mail over the channel's SMTP server (TLS: none, STARTTLS required, or implicit TLS; credentials when
 * a user name is set). The server's address passes the private-address guard first.
 */
final class EmailChannelSender implements ChannelSender {
    private final PrivateAddressGuard guard;
    private final Duration timeout;
    private final JsonMapper json;

    EmailChannelSender(PrivateAddressGuard guard, Duration timeout, JsonMapper json) {
        this.guard = guard;
        this.timeout = timeout;
        this.json = json;
    }

    @Override
    public Outcome send(Channel channel, String secret, AlertOutbox.Delivery delivery, String payload) {
        try {
            guard.check(channel.host(), channel.port());
        } catch (PrivateAddressException e) {
            return Outcome.refused(e.getMessage());
        } catch (UnknownHostException e) {
            return Outcome.failed(null, "the SMTP host does not resolve: " + e.getMessage());
        }
        var props = new Properties();
        String protocol = "tls".equals(channel.tls()) ? "smtps" : "smtp";
        props.put("mail.transport.protocol", protocol);
        props.put("mail." + protocol + ".host", channel.host());
        props.put("mail." + protocol + ".port", String.valueOf(channel.port()));
        props.put("mail." + protocol + ".connectiontimeout", String.valueOf(timeout.toMillis()));
        props.put("mail." + protocol + ".timeout", String.valueOf(timeout.toMillis()));
        props.put("mail." + protocol + ".writetimeout", String.valueOf(timeout.toMillis()));
        if ("starttls".equals(channel.tls())) {
            props.put("mail.smtp.starttls.enable", "true");
            props.put("mail.smtp.starttls.required", "true");
        }
        if (channel.username() != null) props.put("mail." + protocol + ".auth", "true");
        var session = Session.getInstance(props);
        try {
            var alert = json.readTree(payload);
            String text = alert.path("text").asString();
            var message = new MimeMessage(session);
            message.setFrom(new InternetAddress(channel.from()));
            for (var to : channel.to()) message.addRecipient(Message.RecipientType.TO, new InternetAddress(to));
            message.setSubject(subject(text), "UTF-8");
            message.setHeader("X-Cronhook-Delivery", delivery.id().toString());
            message.setText(
                    text + "\n\n" + json.writerWithDefaultPrettyPrinter().writeValueAsString(alert) + "\n", "UTF-8");
            try (Transport transport = session.getTransport(protocol)) {
                if (channel.username() != null) transport.connect(channel.username(), secret == null ? "" : secret);
                else transport.connect();
                transport.sendMessage(message, message.getAllRecipients());
            }
            return Outcome.ok(null);
        } catch (MessagingException e) {
            return Outcome.failed(null, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private static String subject(String text) {
        String line = text.startsWith("Cronhook: ") ? text.substring("Cronhook: ".length()) : text;
        line = line.replaceAll("[\\r\\n]+", " ");
        return "[Cronhook] " + (line.length() > 150 ? line.substring(0, 150) + "…" : line);
    }
}
