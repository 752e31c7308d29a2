package dev.cronhook.web.script;

import java.util.List;

/** The code a new script can start from: the template, and a few starting points the editor offers. */
public final class StartingPoints {
    /** One starting point: a key for the page, its label and its code. */
    public record StartingPoint(String key, String label, String code) {}

    public static final String TEMPLATE = """
            // Runs on every webhook call and cron tick (event.trigger says which).
            // Return a Response to answer a webhook call with your own status, headers and body;
            // any other value is the run's result (a webhook caller gets it as JSON, with status 200).
            export default async function (event, ctx) {
              console.log("triggered by", event.trigger);
              return Response.json({ ok: true, received: event.body ?? null }, { status: 200 });
            }
            """;

    public static final List<StartingPoint> ALL = List.of(
            new StartingPoint("webhook", "Webhook reply", """
                    // Answers a webhook call: the caller gets this status, these headers and this body.
                    export default async function (event, ctx) {
                      if (event.method !== "POST") {
                        return new Response("send a POST\\n", { status: 405, headers: { allow: "POST" } });
                      }
                      const name = event.body?.name ?? "world";
                      return Response.json({ greeting: `hello, ${name}` }, { status: 201, headers: { "x-run-id": ctx.runId } });
                    }
                    """),
            new StartingPoint("cron", "Cron job", """
                    // Runs on the cron schedule set below (tick "Cron schedule"); event.scheduledAt is the tick's time.
                    // What it returns is the run's result, kept with the run.
                    export default async function (event, ctx) {
                      const due = new Date(event.scheduledAt ?? Date.now());
                      console.log("tick for", due.toISOString());
                      return { checkedAt: due.toISOString() };
                    }
                    """),
            new StartingPoint("api-with-secret", "Call an API with a secret", """
                    // Calls an HTTP API with a token kept as a secret: save the script, then set API_TOKEN under
                    // Secrets. Its value reaches the script as process.env.API_TOKEN and is masked as *** in logs.
                    // (A script reaches only the hosts its network settings allow.)
                    export default async function (event, ctx) {
                      const res = await fetch("https://api.example.com/items", {
                        headers: { authorization: `Bearer ${process.env.API_TOKEN}` },
                      });
                      if (!res.ok) throw new Error(`the API answered ${res.status}`);
                      return await res.json();
                    }
                    """));

    private StartingPoints() {}
}
