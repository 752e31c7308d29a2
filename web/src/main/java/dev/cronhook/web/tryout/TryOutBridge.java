package dev.cronhook.web.tryout;

import dev.cronhook.web.signin.SessionCookieRepository;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.springframework.core.env.Environment;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseBody;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientRequestException;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Lets the editor's "Try it" button reach {@code POST /api/try-out} with the browser's session: the page posts
 * {@code {code, dependencies, event}} here (CSRF-checked), and this forwards it to this process's own API with the
 * session's api token, so whichever module serves try-out answers, with the API's own checks and error documents.
 * While nothing serves it, the answer is a 503 that says so.
 */
@Controller
public class TryOutBridge {
    static final String NOT_RUNNING =
            "{\"title\":\"Service unavailable\",\"status\":503,\"detail\":\"try-out is not running: this Cronhook"
                    + " has no try-out role serving POST /api/try-out. Save the script and run it instead.\"}";

    private final Environment env;
    private final WebClient client = WebClient.create();

    public TryOutBridge(Environment env) {
        this.env = env;
    }

    @PostMapping(
            path = "/scripts/try",
            consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    @ResponseBody
    Mono<ResponseEntity<String>> tryOut(@RequestBody String body, ServerWebExchange exchange) {
        String token = SessionCookieRepository.tokenOf(exchange);
        return client.post()
                .uri(base() + "/api/try-out")
                .contentType(MediaType.APPLICATION_JSON)
                .accept(MediaType.APPLICATION_JSON)
                .header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
                .bodyValue(body)
                .exchangeToMono(response -> response.bodyToMono(String.class)
                        .defaultIfEmpty("")
                        .map(text -> {
                            if (response.statusCode().value() == 404
                                    || response.statusCode().value() == 405) {
                                return json(HttpStatus.SERVICE_UNAVAILABLE, NOT_RUNNING);
                            }
                            return json(HttpStatus.valueOf(response.statusCode().value()), text);
                        }))
                .timeout(Duration.ofMinutes(16))
                .onErrorResume(
                        WebClientRequestException.class,
                        e -> Mono.just(json(
                                HttpStatus.SERVICE_UNAVAILABLE,
                                "{\"title\":\"Service unavailable\",\"status\":503,\"detail\":\"the API did not answer: "
                                        + e.getMessage().replace("\"", "'").replace("\\", "/") + "\"}")));
    }

    private static ResponseEntity<String> json(HttpStatus status, String body) {
        return ResponseEntity.status(status)
                .contentType(new MediaType(MediaType.APPLICATION_JSON, StandardCharsets.UTF_8))
                .body(body);
    }

    /** This process's own address: the port it listens on, on loopback unless bound to one address. */
    private String base() {
        String address = env.getProperty("server.address", "127.0.0.1");
        if (address.isBlank() || address.equals("0.0.0.0") || address.equals("::")) address = "127.0.0.1";
        if (address.contains(":")) address = "[" + address + "]";
        String port = env.getProperty("local.server.port", env.getProperty("server.port", "8080"));
        return "http://" + address + ":" + port;
    }
}
