package dev.cronhook.web.signin;

import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.reactive.result.view.Rendering;
import reactor.core.publisher.Mono;

/** The sign-in form; the form's POST is handled by the security chain. */
@Controller
public class SignInPage {
    @GetMapping("/login")
    Mono<Rendering> login(
            @RequestParam(required = false) String error,
            @RequestParam(required = false) String signedOut,
            @RequestParam(required = false) String username) {
        String message = error == null
                ? null
                : error.equals("missing") ? "Enter your username and password." : "Wrong username or password.";
        return Mono.just(Rendering.view("login")
                .modelAttribute("error", message)
                .modelAttribute("signedOut", signedOut != null)
                .modelAttribute("username", error == null || username == null ? "" : username)
                .build());
    }
}
