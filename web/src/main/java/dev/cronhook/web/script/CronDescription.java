package dev.cronhook.web.script;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Says a cron expression in words ("every 5 minutes, on Monday through Friday") for the editor's preview. */
public final class CronDescription {
    private static final String[] MONTHS = {
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December"
    };
    private static final String[] DAYS = {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};
    private static final List<String> MONTH_NAMES =
            List.of("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC");
    private static final List<String> DAY_NAMES = List.of("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT");

    private CronDescription() {}

    /** The expression (5 or 6 fields, already validated) in words. */
    public static String of(String expression) {
        String[] f = expression.trim().split("\\s+");
        if (f.length == 5) f = new String[] {"0", f[0], f[1], f[2], f[3], f[4]};
        if (f.length != 6) return expression;
        String sec = f[0], min = f[1], hour = f[2], dom = f[3], month = f[4], dow = f[5];
        var parts = new ArrayList<String>();
        if (number(sec) && number(min) && number(hour)) {
            int s = Integer.parseInt(sec);
            parts.add(String.format(
                    Locale.ROOT,
                    s == 0 ? "at %02d:%02d" : "at %02d:%02d:%02d",
                    Integer.parseInt(hour),
                    Integer.parseInt(min),
                    s));
        } else {
            if (any(sec)) parts.add("every second");
            else if (step(sec) != null) parts.add("every " + plural(step(sec), "second"));
            else if (!sec.equals("0")) parts.add("at second " + sec);
            if (any(min)) {
                if (!any(sec) && step(sec) == null) parts.add("every minute");
            } else if (step(min) != null) parts.add("every " + plural(step(min), "minute"));
            else if (number(min) && !number(hour)) parts.add("at minute " + min);
            else parts.add("at minute " + min);
            if (step(hour) != null) parts.add("every " + plural(step(hour), "hour"));
            else if (number(hour))
                parts.add(String.format(Locale.ROOT, "during the hour %02d:00", Integer.parseInt(hour)));
            else if (!any(hour)) parts.add("during the hours " + hour);
            else if (number(min)) parts.set(parts.size() - 1, "at minute " + min + " of every hour");
        }
        if (dom.equals("L")) parts.add("on the last day of the month");
        else if (number(dom)) parts.add("on day " + dom + " of the month");
        else if (step(dom) != null) parts.add("every " + plural(step(dom), "day"));
        else if (!any(dom)) parts.add("on days " + dom + " of the month");
        if (!any(month)) parts.add("in " + names(month, MONTH_NAMES, MONTHS, 1));
        if (!any(dow)) parts.add("on " + names(dow, DAY_NAMES, DAYS, 0));
        String text = String.join(", ", parts);
        return text.isEmpty() ? expression : Character.toUpperCase(text.charAt(0)) + text.substring(1);
    }

    private static boolean any(String f) {
        return f.equals("*") || f.equals("?");
    }

    private static boolean number(String f) {
        return f.matches("\\d+");
    }

    private static String step(String f) {
        var m = java.util.regex.Pattern.compile("(?:\\*|0)/(\\d+)").matcher(f);
        return m.matches() ? m.group(1) : null;
    }

    private static String plural(String n, String unit) {
        return n.equals("1") ? unit : n + " " + unit + "s";
    }

    private static String names(String field, List<String> shortNames, String[] longNames, int first) {
        var out = new ArrayList<String>();
        for (String item : field.split(",")) {
            String[] range = item.split("-", 2);
            String from = name(range[0], shortNames, longNames, first);
            String said = range.length == 2 ? from + " through " + name(range[1], shortNames, longNames, first) : from;
            if (!out.contains(said)) out.add(said);
        }
        if (out.size() == 1) return out.getFirst();
        return String.join(", ", out.subList(0, out.size() - 1)) + " and " + out.getLast();
    }

    private static String name(String value, List<String> shortNames, String[] longNames, int first) {
        String v = value.toUpperCase(Locale.ROOT);
        int i = shortNames.indexOf(v);
        if (i >= 0) return longNames[i];
        if (v.matches("\\d+")) {
            int n = Integer.parseInt(v) - first;
            if (first == 0 && n == 7) n = 0; // 7 is Sunday too
            if (n >= 0 && n < longNames.length) return longNames[n];
        }
        return value;
    }
}
