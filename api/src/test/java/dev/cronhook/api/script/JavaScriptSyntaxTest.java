package dev.cronhook.api.script;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cronhook.core.validation.Violation;
import dev.cronhook.core.validation.Violations;
import java.util.List;
import org.junit.jupiter.api.Test;

class JavaScriptSyntaxTest {
    private static List<Violation> check(String code) {
        var v = new Violations();
        JavaScriptSyntax.check("code", code, v);
        return v.list();
    }

    @Test
    void aSyntaxErrorIsReportedAtItsLineAndColumn() {
        var found = check("export default async function () {\n  let a = 1;\n  return a x;\n}\n");
        assertThat(found).hasSize(1);
        assertThat(found.getFirst().line()).isEqualTo(3);
        assertThat(found.getFirst().column()).isEqualTo(12);
        assertThat(found.getFirst().message()).startsWith("syntax error at line 3, column 12: ");
    }

    @Test
    void modernJavaScriptAndImportsOfPackagesPass() {
        assertThat(check("""
                import _ from "lodash";
                import { readFile } from "node:fs/promises";
                class Counter { #n = 0; static { } next() { return ++this.#n; } }
                const first = await Promise.resolve(new Counter().next());
                export default async (event, ctx) => ({ first, v: event?.body ?? null, big: 2n ** 64n, x: _.sum([1]) });
                """)).isEmpty();
    }

    @Test
    void typeScriptIsRefusedSayingSo() {
        var found = check("""
                interface Order { id: number }
                export default async function (event: any): Promise<Response> {
                  const order = event.body as Order;
                  return Response.json({ id: order.id });
                }
                """);
        assertThat(found).hasSize(1);
        assertThat(found.getFirst().message())
                .startsWith("looks like TypeScript")
                .contains("line 1, column");
        assertThat(check("export default async (event: any) => 1;\n").getFirst().message())
                .startsWith("looks like TypeScript");
    }
}
