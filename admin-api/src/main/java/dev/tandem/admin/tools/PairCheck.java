package dev.tandem.admin.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The chart's {@code helm test}: each server's coordinator answers, and each of its failover relationships is NORMAL,
 * talking to the partner, with a data path that serves (its lease-services, gateways, Kafka and PostgreSQL: the
 * coordinator's {@code cannotServe}). Waits up to {@code --wait} seconds for that (a pair just installed takes a while),
 * then exits 0 with one line per relationship, or 1 with what is wrong.
 *
 * <p>{@code java -cp '/deployments/app/*:/deployments/lib/main/*' dev.tandem.admin.tools.PairCheck [--wait SECONDS]
 * COORDINATOR-URL...}; with {@code TANDEM_COMMAND_TOKEN} in the environment the reads carry it (coordinators whose
 * state reads are closed).
 */
public final class PairCheck {

    private static final ObjectMapper JSON = new ObjectMapper();

    private PairCheck() {}

    public static void main(String[] args) throws Exception {
        long waitSeconds = 120;
        List<String> urls = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--wait") && i + 1 < args.length) {
                waitSeconds = Long.parseLong(args[++i]);
            } else {
                urls.add(args[i]);
            }
        }
        if (urls.isEmpty()) {
            System.err.println("usage: PairCheck [--wait SECONDS] COORDINATOR-URL...");
            System.exit(2);
        }
        String token = System.getenv("TANDEM_COMMAND_TOKEN");
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + Duration.ofSeconds(waitSeconds).toNanos();
        List<String> problems;
        List<String> fine = new ArrayList<>();
        while (true) {
            problems = new ArrayList<>();
            fine.clear();
            for (String url : urls) {
                problems.addAll(check(http, url, token, fine));
            }
            if (problems.isEmpty() || System.nanoTime() > deadline) {
                break;
            }
            Thread.sleep(2000);
        }
        fine.forEach(System.out::println);
        problems.forEach(p -> System.err.println("PROBLEM " + p));
        System.exit(problems.isEmpty() ? 0 : 1);
    }

    private static List<String> check(HttpClient http, String url, String token, List<String> fine)
            throws InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + "/api/v1/relationships"))
                .timeout(Duration.ofSeconds(10))
                .GET();
        if (token != null && !token.isBlank()) {
            request.header("Authorization", "Bearer " + token);
        }
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return problems(url, response.statusCode(), response.body(), fine);
        } catch (IOException e) {
            return List.of(url + ": no answer (" + e + ")");
        }
    }

    /** What is wrong with one coordinator's answer; what is right goes to {@code fine}. */
    static List<String> problems(String url, int status, String body, List<String> fine) {
        if (status != 200) {
            return List.of(url + ": answered " + status + " " + body);
        }
        JsonNode relationships;
        try {
            relationships = JSON.readTree(body);
        } catch (IOException e) {
            return List.of(url + ": not a list of relationships: " + e.getMessage());
        }
        if (!relationships.isArray() || relationships.isEmpty()) {
            return List.of(url + ": in no failover relationship");
        }
        List<String> problems = new ArrayList<>();
        for (JsonNode r : relationships) {
            String what =
                    r.path("server").asText() + " in " + r.path("relationship").asText();
            String state = r.path("state").asText();
            List<String> wrong = new ArrayList<>();
            if (!state.equals("NORMAL")) {
                wrong.add("state " + state
                        + (r.hasNonNull("waitingFor")
                                ? " (" + r.get("waitingFor").asText() + ")"
                                : ""));
            }
            if (!r.path("communicating").asBoolean()) {
                wrong.add("not talking to the partner");
            }
            if (r.hasNonNull("cannotServe")) {
                wrong.add("cannot serve: " + r.get("cannotServe").asText());
            }
            if (wrong.isEmpty()) {
                fine.add(what + ": NORMAL, partner " + r.path("partnerState").asText() + ", serving");
            } else {
                problems.add(what + ": " + String.join("; ", wrong));
            }
        }
        return problems;
    }
}
