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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

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
        // checked every 2 s until the pair is healthy (the latch) or the wait is over, whichever comes first
        AtomicReference<Outcome> last = new AtomicReference<>();
        CountDownLatch healthy = new CountDownLatch(1);
        ScheduledExecutorService checks = Executors.newSingleThreadScheduledExecutor();
        checks.scheduleWithFixedDelay(
                () -> {
                    if (healthy.getCount() == 0) {
                        return; // the healthy outcome stands
                    }
                    Outcome outcome = checkAll(http, urls, token);
                    last.set(outcome);
                    if (outcome.problems().isEmpty()) {
                        healthy.countDown();
                    }
                },
                0,
                2,
                TimeUnit.SECONDS);
        healthy.await(waitSeconds, TimeUnit.SECONDS);
        checks.shutdown();
        checks.awaitTermination(30, TimeUnit.SECONDS); // a check under way ends (its requests time out in 10 s)
        Outcome outcome = last.get() != null ? last.get() : checkAll(http, urls, token);
        outcome.fine().forEach(System.out::println);
        outcome.problems().forEach(p -> System.err.println("PROBLEM " + p));
        System.exit(outcome.problems().isEmpty() ? 0 : 1);
    }

    /** One round over the coordinators: what is right, what is wrong. */
    record Outcome(List<String> fine, List<String> problems) {}

    private static Outcome checkAll(HttpClient http, List<String> urls, String token) {
        List<String> fine = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (String url : urls) {
            problems.addAll(check(http, url, token, fine));
        }
        return new Outcome(fine, problems);
    }

    private static List<String> check(HttpClient http, String url, String token, List<String> fine) {
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
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of(url + ": interrupted");
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
