package dev.cronhook.executor.runtime.docker;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One challenge of a {@code WWW-Authenticate} header (RFC 9110 section 11.6.1): a scheme ({@code Bearer}, {@code
 * Basic}) and its parameters, e.g. a registry's {@code Bearer realm="https://auth.example/token",service="registry",
 * scope="repository:cronhook/scripts/x:pull"}. Parameter names are lower case.
 */
record AuthChallenge(String scheme, Map<String, String> params) {
    AuthChallenge {
        params = Map.copyOf(params);
    }

    boolean is(String name) {
        return scheme.equalsIgnoreCase(name);
    }

    String param(String name) {
        return params.get(name);
    }

    /** The challenges of one header value, in order; unparseable rest is ignored. */
    static List<AuthChallenge> parse(String header) {
        var challenges = new ArrayList<AuthChallenge>();
        if (header == null) return challenges;
        var in = new Cursor(header);
        String scheme = null;
        Map<String, String> params = new LinkedHashMap<>();
        while (true) {
            in.skip(" \t,");
            if (in.done()) break;
            String token = in.token();
            if (token.isEmpty()) break;
            in.skip(" \t");
            if (in.peek() == '=' && scheme != null) {
                in.next();
                in.skip(" \t");
                String value = in.peek() == '"' ? in.quoted() : in.token();
                params.put(token.toLowerCase(Locale.ROOT), value);
            } else if (in.peek() == '=') {
                // a parameter before any scheme: malformed, stop here
                break;
            } else {
                if (scheme != null) challenges.add(new AuthChallenge(scheme, params));
                scheme = token;
                params = new LinkedHashMap<>();
                // token68 form (Basic dXNlcjpwYXNz): kept as an unnamed parameter
                in.skip(" \t");
                int mark = in.position();
                String t68 = in.token68();
                in.skip(" \t");
                if (!t68.isEmpty() && (in.done() || in.peek() == ',')) {
                    params.put("", t68);
                } else {
                    in.reset(mark);
                }
            }
        }
        if (scheme != null) challenges.add(new AuthChallenge(scheme, params));
        return challenges;
    }

    private static final class Cursor {
        private final String s;
        private int i;

        Cursor(String s) {
            this.s = s;
        }

        boolean done() {
            return i >= s.length();
        }

        char peek() {
            return done() ? 0 : s.charAt(i);
        }

        void next() {
            i++;
        }

        int position() {
            return i;
        }

        void reset(int position) {
            i = position;
        }

        void skip(String chars) {
            while (!done() && chars.indexOf(s.charAt(i)) >= 0) i++;
        }

        /** An RFC 9110 token: visible characters other than separators. */
        String token() {
            int start = i;
            while (!done() && "!#$%&'*+-.^_`|~".indexOf(s.charAt(i)) >= 0
                    || !done() && Character.isLetterOrDigit(s.charAt(i))) {
                i++;
            }
            return s.substring(start, i);
        }

        String token68() {
            int start = i;
            while (!done() && (Character.isLetterOrDigit(s.charAt(i)) || "-._~+/".indexOf(s.charAt(i)) >= 0)) i++;
            while (!done() && s.charAt(i) == '=') i++;
            return s.substring(start, i);
        }

        String quoted() {
            var value = new StringBuilder();
            i++; // the opening quote
            while (!done()) {
                char c = s.charAt(i++);
                if (c == '"') break;
                if (c == '\\' && !done()) c = s.charAt(i++);
                value.append(c);
            }
            return value.toString();
        }
    }
}
