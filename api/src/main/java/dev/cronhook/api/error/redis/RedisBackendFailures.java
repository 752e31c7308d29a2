package dev.cronhook.api.error.redis;

import dev.cronhook.api.error.BackendFailures;
import io.lettuce.core.RedisException;
import java.util.Optional;
import org.springframework.stereotype.Component;

/** Redis's failures (a connection lost, a command timed out): the queue is unavailable. */
@Component
public class RedisBackendFailures implements BackendFailures {
    @Override
    public Optional<String> unavailable(Throwable error) {
        return error instanceof RedisException ? Optional.of("the queue (Redis)") : Optional.empty();
    }
}
