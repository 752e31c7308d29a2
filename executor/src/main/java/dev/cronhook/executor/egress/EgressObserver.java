package dev.cronhook.executor.egress;

import java.util.UUID;

/** What the egress proxy tells about each script's outbound connections (metrics); called on its threads. */
public interface EgressObserver {
    /** A connection to an allowed public address was made for the script. */
    void connected(UUID scriptId);

    /** A connection was refused; {@code reason} is {@link EgressProxy#NOT_ALLOWED} or one of the others. */
    void blocked(UUID scriptId, String reason);

    /** Bytes a closed connection carried, out (from the script) and in. */
    void carried(UUID scriptId, long out, long in);

    EgressObserver NONE = new EgressObserver() {
        @Override
        public void connected(UUID scriptId) {}

        @Override
        public void blocked(UUID scriptId, String reason) {}

        @Override
        public void carried(UUID scriptId, long out, long in) {}
    };
}
