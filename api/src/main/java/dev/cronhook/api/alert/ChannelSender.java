package dev.cronhook.api.alert;

/** Sends one alert over one kind of channel. Thread-safe; a call may block (it runs on a virtual thread). */
interface ChannelSender {
    /** How an attempt went: sent, or not (with the receiver's status code when it answered, and why). */
    record Outcome(boolean sent, Integer responseCode, String error, boolean permanent) {
        static Outcome ok(Integer code) {
            return new Outcome(true, code, null, false);
        }

        static Outcome failed(Integer code, String error) {
            return new Outcome(false, code, error, false);
        }

        /** Not worth another attempt: the channel as configured cannot work (a private address, say). */
        static Outcome refused(String error) {
            return new Outcome(false, null, error, true);
        }
    }

    /**
     * @param secret the channel's secret, opened (null when it has none)
     * @param payload the alert as JSON text
     */
    Outcome send(Channel channel, String secret, AlertOutbox.Delivery delivery, String payload);
}
