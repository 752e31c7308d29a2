package dev.cronhook.builder.log;

import dev.cronhook.core.build.BuildState;

/**
 * Where the lines of one build go live, in the order they are given. Called from several threads; an
 * implementation must not throw (a log that cannot be written must not fail the build).
 */
public interface BuildLogSink {
    BuildLogSink NONE = new BuildLogSink() {
        @Override
        public void line(long epochMillis, BuildLog.Source source, String line) {}

        @Override
        public void end(long epochMillis, BuildState outcome) {}
    };

    void line(long epochMillis, BuildLog.Source source, String line);

    void end(long epochMillis, BuildState outcome);
}
