package dev.cronhook.api.script;

import com.google.javascript.jscomp.CheckLevel;
import com.google.javascript.jscomp.Compiler;
import com.google.javascript.jscomp.CompilerOptions;
import com.google.javascript.jscomp.JSError;
import com.google.javascript.jscomp.SourceFile;
import dev.cronhook.core.validation.Violations;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Checks that a script's code parses as an ES module, without running it (Closure Compiler's parser, in Java: no
 * JavaScript engine sees the code here). Only syntax errors count: a feature the parser knows but its compiler does
 * not support, or an import it cannot resolve, is not the user's fault and passes. Thread-safe.
 */
public final class JavaScriptSyntax {
    private static final String PARSE_ERROR = "JSC_PARSE_ERROR";

    private JavaScriptSyntax() {}

    /**
     * Checks every JavaScript module among a script's other files ({@code .mjs}, {@code .js}), each error under {@code
     * files.<path>}; the rest (JSON, text) is not JavaScript.
     */
    public static void checkModules(java.util.Map<String, String> files, Violations v) {
        files.forEach((path, text) -> {
            if (path.endsWith(".mjs") || path.endsWith(".js")) check("files." + path, text, v);
        });
    }

    /** Adds a violation of {@code field} with the line and column (from 1) of the first syntax error, if any. */
    public static void check(String field, String code, Violations v) {
        if (code == null || code.isBlank()) return;
        var error = firstSyntaxError(code);
        if (error != null) {
            int line = Math.max(1, error.getLineNumber());
            int column = Math.max(0, error.getCharno()) + 1;
            String where = "syntax error at line " + line + ", column " + column + ": " + message(error);
            if (looksLikeTypeScript(code)) {
                v.add(
                        field,
                        "looks like TypeScript, which scripts cannot be yet: write JavaScript (leave out the type"
                                + " annotations, interfaces and type aliases); the first " + where,
                        line,
                        column);
            } else {
                v.add(field, where, line, column);
            }
        }
    }

    private static final List<Pattern> TYPESCRIPT = List.of(
            // interface Order { ... }, type Id = string
            Pattern.compile(
                    "(?m)^\\s*(export\\s+)?(interface\\s+[A-Za-z_$][\\w$]*\\s*[{<]|type\\s+[A-Za-z_$][\\w$]*\\s*(<[^>]*>)?\\s*=)"),
            // (event: any, ctx: Context), const n: number =
            Pattern.compile("[(,]\\s*[A-Za-z_$][\\w$]*\\??\\s*:\\s*[A-Za-z_$][\\w$.]*(<[^>]*>)?(\\[\\])?\\s*[,)=]"),
            Pattern.compile("\\b(const|let|var)\\s+[A-Za-z_$][\\w$]*\\s*:\\s*[A-Za-z_$][\\w$.]*"),
            // ): Promise<Response> =>, ): string {
            Pattern.compile("\\)\\s*:\\s*[A-Za-z_$][\\w$.]*(<[^>]*>)?(\\[\\])?\\s*(=>|\\{)"),
            Pattern.compile("\\bas\\s+(const|string|number|boolean|any|unknown)\\b"));

    /** Whether code that does not parse has TypeScript's own syntax in it (checked only after a syntax error). */
    static boolean looksLikeTypeScript(String code) {
        for (var p : TYPESCRIPT) if (p.matcher(code).find()) return true;
        return false;
    }

    private static JSError firstSyntaxError(String code) {
        var options = new CompilerOptions();
        options.setLanguageIn(CompilerOptions.LanguageMode.UNSTABLE);
        options.setChecksOnly(true);
        options.setContinueAfterErrors(false);
        var compiler = new Compiler(new PrintStream(OutputStream.nullOutputStream()));
        compiler.init(List.of(), List.of(SourceFile.fromCode("script.mjs", code)), options);
        compiler.parse();
        for (var error : compiler.getErrors()) {
            if (error.getType().key.equals(PARSE_ERROR) && error.getDefaultLevel() == CheckLevel.ERROR) return error;
        }
        return null;
    }

    /** The parser's words without its own prefix ("Parse error. Semi-colon expected" → "semi-colon expected"). */
    private static String message(JSError error) {
        String text = error.getDescription();
        if (text.startsWith("Parse error. ")) text = text.substring("Parse error. ".length());
        if (text.isEmpty()) return "cannot be parsed";
        return Character.toLowerCase(text.charAt(0)) + text.substring(1);
    }
}
