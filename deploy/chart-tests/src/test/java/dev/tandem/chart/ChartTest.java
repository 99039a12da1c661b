package dev.tandem.chart;

import static dev.tandem.chart.Manifests.MINIMAL;
import static dev.tandem.chart.Manifests.objects;
import static dev.tandem.chart.Manifests.ofType;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import dev.tandem.protocol.bus.TopicPlan;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Helm chart without a cluster: it lints clean in strict mode, renders with its defaults and with every example,
 * every object parses into the typed Kubernetes model with no unknown field, and the properties an operator relies on
 * hold.
 */
class ChartTest {

    @Test
    void lintsCleanInStrictMode() {
        LintResult lint = new Helm(Manifests.CHART).lint().strict().call();
        assertThat(lint.isFailed())
                .as("helm lint --strict: %s", lint.getMessages())
                .isFalse();
        assertThat(lint.getMessages()).noneMatch(m -> m.startsWith("[WARNING]") || m.startsWith("[ERROR]"));
    }

    static Stream<Path> examples() throws IOException {
        return Files.list(Manifests.EXAMPLES)
                .filter(p -> p.toString().endsWith(".yaml"))
                .sorted();
    }

    @Test
    void rendersWithItsDefaultsPlusKafkaAndPostgres() {
        List<HasMetadata> all = objects(MINIMAL);
        assertTypedAndKnown(all);
        // per server: gateway StatefulSet + Service + PDB, lease-service Deployment + PDB, coordinator Deployment +
        // Service; and the admin API's Deployment and Service
        assertThat(ofType(all, StatefulSet.class)).hasSize(2);
        assertThat(ofType(all, Deployment.class)).hasSize(5);
        assertThat(ofType(all, Service.class)).hasSize(5);
        assertThat(ofType(all, PodDisruptionBudget.class)).hasSize(4);
    }

    /**
     * The coordinators' command credential comes from one Secret to both ends: the coordinators check it, the admin API
     * presents it. Without it neither gets one (the coordinators then refuse partner-down and maintenance).
     */
    @Test
    void theCommandCredentialReachesTheCoordinatorsAndTheAdminApiFromItsSecret() {
        List<HasMetadata> all = objects(t -> MINIMAL.apply(t).set("coordinator.commandTokenSecret", "tandem-command"));
        List<String> fromSecret = new ArrayList<>();
        for (Deployment d : ofType(all, Deployment.class)) {
            for (Container c : d.getSpec().getTemplate().getSpec().getContainers()) {
                for (EnvVar env : c.getEnv()) {
                    if (env.getValueFrom() != null
                            && env.getValueFrom().getSecretKeyRef() != null
                            && env.getValueFrom().getSecretKeyRef().getName().equals("tandem-command")) {
                        assertThat(env.getValueFrom().getSecretKeyRef().getKey())
                                .isEqualTo("command-token");
                        fromSecret.add(c.getName() + " " + env.getName());
                    }
                }
            }
        }
        assertThat(fromSecret)
                .containsExactlyInAnyOrder(
                        "coordinator TANDEM_COMMAND_TOKEN",
                        "coordinator TANDEM_COMMAND_TOKEN",
                        "admin-api TANDEM_ADMIN_COORDINATOR_TOKEN");
        assertThat(objects(MINIMAL).stream()
                        .flatMap(o -> ofType(List.of(o), Deployment.class).stream())
                        .flatMap(d -> d.getSpec().getTemplate().getSpec().getContainers().stream())
                        .flatMap(c -> c.getEnv().stream())
                        .map(EnvVar::getName))
                .doesNotContain("TANDEM_COMMAND_TOKEN", "TANDEM_ADMIN_COORDINATOR_TOKEN");
        for (var open : Map.of(
                        MINIMAL,
                        "true",
                        (UnaryOperator<com.marcnuri.helm.TemplateCommand>)
                                t -> MINIMAL.apply(t).set("coordinator.openReads", "false"),
                        "false")
                .entrySet()) {
            assertThat(env(deployment(objects(open.getKey()), "tandem-dhcp-a-coordinator"))
                            .get("TANDEM_OPEN_READS")
                            .getValue())
                    .isEqualTo(open.getValue());
        }
    }

    @ParameterizedTest
    @MethodSource("examples")
    void rendersWithEachExample(Path example) {
        List<HasMetadata> all = objects(t -> t.withValuesFile(example));
        assertThat(all).isNotEmpty();
        assertTypedAndKnown(all);
        invariants(all, example.getFileName().toString().contains("host-network"));
    }

    @Test
    void defaultsKeepTheInvariants() {
        invariants(objects(MINIMAL), false);
    }

    /** What must hold whatever the values. */
    static void invariants(List<HasMetadata> all, boolean hostNetwork) {
        for (PodSpec pod : pods(all)) {
            assertThat(pod.getAutomountServiceAccountToken())
                    .as("no pod mounts a service account token (none uses the Kubernetes API)")
                    .isFalse();
            for (Container c : pod.getContainers()) {
                String what = c.getName();
                assertThat(c.getImage())
                        .as("%s image", what)
                        .doesNotEndWith(":latest")
                        .contains(":");
                assertThat(c.getStartupProbe().getHttpGet().getPath()).isEqualTo("/q/health/started");
                assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/q/health/live");
                assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/q/health/ready");
                assertThat(c.getResources().getRequests())
                        .as("%s requests", what)
                        .containsKeys("cpu", "memory");
                assertThat(c.getResources().getLimits()).as("%s limits", what).containsKey("memory");
                var sc = c.getSecurityContext();
                assertThat(sc.getAllowPrivilegeEscalation()).isFalse();
                assertThat(sc.getReadOnlyRootFilesystem()).isTrue();
                assertThat(sc.getCapabilities().getDrop()).containsExactly("ALL");
                List<String> added = sc.getCapabilities().getAdd() == null
                        ? List.of()
                        : sc.getCapabilities().getAdd();
                if (what.equals("gateway") && hostNetwork) {
                    assertThat(added).as("the gateway on the node's port 67").containsExactly("NET_BIND_SERVICE");
                } else {
                    assertThat(added).as("%s adds no capability", what).isEmpty();
                    // a privileged port without a capability needs the pod's unprivileged-port sysctl
                    for (var port : c.getPorts()) {
                        if (port.getContainerPort() < 1024) {
                            assertThat(unprivilegedPortStart(pod))
                                    .as("%s binds port %d as a non-root user", what, port.getContainerPort())
                                    .isLessThanOrEqualTo(port.getContainerPort());
                        }
                    }
                }
                for (EnvVar env : c.getEnv()) {
                    if (env.getName().contains("PASSWORD")
                            || env.getName().contains("SECRET")
                            || env.getName().contains("TOKEN")) {
                        assertThat(env.getValue())
                                .as("%s %s comes from a Secret, not inlined", what, env.getName())
                                .isNull();
                        assertThat(env.getValueFrom().getSecretKeyRef()).isNotNull();
                    }
                }
            }
            assertThat(pod.getHostNetwork() != null && pod.getHostNetwork())
                    .as("hostNetwork only in that mode")
                    .isEqualTo(
                            hostNetwork && pod.getContainers().get(0).getName().equals("gateway"));
        }
        assertThat(ofType(all, io.fabric8.kubernetes.api.model.Secret.class))
                .as("the chart never carries a Secret's content")
                .isEmpty();
        // the two servers never share a node: every server pod repels the other server's pods
        for (HasMetadata o : all) {
            PodSpec pod = podOf(o);
            if (pod == null) {
                continue;
            }
            String server = labels(o).get("tandem.dev/server");
            if (server != null) {
                var terms = pod.getAffinity().getPodAntiAffinity().getRequiredDuringSchedulingIgnoredDuringExecution();
                assertThat(terms).singleElement().satisfies(t -> {
                    assertThat(t.getTopologyKey()).isEqualTo("kubernetes.io/hostname");
                    assertThat(t.getLabelSelector().getMatchExpressions()).anySatisfy(e -> {
                        assertThat(e.getKey()).isEqualTo("tandem.dev/server");
                        assertThat(e.getOperator()).isEqualTo("NotIn");
                        assertThat(e.getValues()).containsExactly(server);
                    });
                });
            }
        }
        for (PodDisruptionBudget pdb : ofType(all, PodDisruptionBudget.class)) {
            assertThat(pdb.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
            assertThat(podsSelectedBy(all, pdb.getSpec().getSelector().getMatchLabels()))
                    .as("PDB %s protects pods", pdb.getMetadata().getName())
                    .isNotEmpty();
        }
        for (Service svc : ofType(all, Service.class)) {
            assertThat(podsSelectedBy(all, svc.getSpec().getSelector()))
                    .as("Service %s reaches pods", svc.getMetadata().getName())
                    .hasSize(1);
        }
        // the partner's coordinator dials this server's coordinator Service on the failover port
        ofType(all, Service.class).stream()
                .filter(s -> s.getMetadata().getName().endsWith("-coordinator"))
                .forEach(s -> {
                    assertThat(s.getSpec().getPorts()).anySatisfy(p -> {
                        assertThat(p.getPort()).isEqualTo(647);
                        assertThat(p.getProtocol()).isEqualTo("TCP");
                        assertThat(p.getTargetPort().getStrVal()).isEqualTo("failover");
                    });
                    HasMetadata target =
                            podsSelectedBy(all, s.getSpec().getSelector()).get(0);
                    assertThat(target.getMetadata().getName())
                            .isEqualTo(s.getMetadata().getName());
                    assertThat(podOf(target).getContainers().get(0).getPorts())
                            .anySatisfy(p -> assertThat(p.getName()).isEqualTo("failover"));
                });
        // each gateway reads the reply partition of its pod's ordinal, from the pod's name (with hostNetwork the
        // hostname is the node's)
        for (StatefulSet gateway : ofType(all, StatefulSet.class)) {
            Container c =
                    gateway.getSpec().getTemplate().getSpec().getContainers().get(0);
            assertThat(String.join(" ", c.getArgs()))
                    .contains("reply.partition=${POD_NAME##*-}")
                    .doesNotContain("HOSTNAME");
            assertThat(c.getEnv()).anySatisfy(e -> assertThat(e.getName().equals("POD_NAME")
                            && e.getValueFrom().getFieldRef().getFieldPath().equals("metadata.name"))
                    .isTrue());
        }
        // exactly one coordinator per server, replaced not rolled
        ofType(all, Deployment.class).stream()
                .filter(d -> d.getMetadata().getName().endsWith("-coordinator"))
                .forEach(d -> {
                    assertThat(d.getSpec().getReplicas()).isEqualTo(1);
                    assertThat(d.getSpec().getStrategy().getType()).isEqualTo("Recreate");
                });
        // relay mode keeps the relay's source address
        ofType(all, Service.class).stream()
                .filter(s -> s.getMetadata().getName().endsWith("-gateway"))
                .forEach(s -> {
                    assertThat(hostNetwork)
                            .as("no gateway Service with hostNetwork")
                            .isFalse();
                    assertThat(s.getSpec().getExternalTrafficPolicy()).isEqualTo("Local");
                    assertThat(s.getSpec().getPorts()).singleElement().satisfies(p -> {
                        assertThat(p.getPort()).isEqualTo(67);
                        assertThat(p.getProtocol()).isEqualTo("UDP");
                    });
                });
    }

    @Test
    void hostNetworkModeRunsTheGatewaysOnTheNodesWithOneCapability() throws IOException {
        List<HasMetadata> all = objects(t -> t.withValuesFile(Manifests.EXAMPLES.resolve("host-network.yaml")));
        List<StatefulSet> gateways = ofType(all, StatefulSet.class);
        assertThat(gateways).hasSize(2).allSatisfy(g -> assertThat(
                        g.getSpec().getTemplate().getSpec().getHostNetwork())
                .isTrue());
        assertThat(ofType(all, Service.class))
                .noneMatch(s -> s.getMetadata().getName().endsWith("-gateway"));
    }

    @Test
    void theOperatorsExampleAddsStrimziCloudNativePgAndAServiceMonitor() throws IOException {
        List<HasMetadata> all = objects(t -> t.withValuesFile(Manifests.EXAMPLES.resolve("operators.yaml")));
        List<String> kinds = ofType(all, GenericKubernetesResource.class).stream()
                .map(HasMetadata::getKind)
                .toList();
        assertThat(kinds).contains("Kafka", "KafkaNodePool", "KafkaTopic", "Cluster", "ServiceMonitor");
        // the admin API's metrics (the pools under Kea's names) are scraped with a reader's credentials
        GenericKubernetesResource adminMonitor = ofType(all, GenericKubernetesResource.class).stream()
                .filter(r -> r.getKind().equals("ServiceMonitor")
                        && r.getMetadata().getName().equals("tandem-admin-api"))
                .findFirst()
                .orElseThrow();
        Map<String, String> selector = adminMonitor.get("spec", "selector", "matchLabels");
        Service adminApi = ofType(all, Service.class).stream()
                .filter(s -> s.getMetadata().getName().equals("tandem-admin-api"))
                .findFirst()
                .orElseThrow();
        assertThat(adminApi.getMetadata().getLabels()).containsAllEntriesOf(selector);
        List<Map<String, Object>> endpoints = adminMonitor.get("spec", "endpoints");
        assertThat(endpoints).singleElement().satisfies(e -> assertThat(
                        e.get("basicAuth").toString())
                .contains("name=tandem-metrics-reader, key=username")
                .contains("name=tandem-metrics-reader, key=password"));
        // exactly the topics of the plan: names, partitions, compaction
        List<String> topics = ofType(all, GenericKubernetesResource.class).stream()
                .filter(r -> r.getKind().equals("KafkaTopic"))
                .map(r -> r.get("spec", "topicName") + " " + r.get("spec", "partitions") + " "
                        + r.get("spec", "config", "cleanup.policy"))
                .toList();
        assertThat(topics)
                .containsExactlyInAnyOrderElementsOf(TopicPlan.topics(List.of("dhcp-a", "dhcp-b"), 6).stream()
                        .map(t -> t.name() + " " + t.partitions() + " " + (t.compacted() ? "compact" : "delete"))
                        .toList());
        assertThat(ofType(
                        Manifests.hooks(t -> t.withValuesFile(Manifests.EXAMPLES.resolve("operators.yaml"))),
                        Job.class))
                .as("no topics Job with Strimzi")
                .isEmpty();
        // the services use the operators' endpoints and the CloudNativePG Secret
        Deployment lease = ofType(all, Deployment.class).stream()
                .filter(d -> d.getMetadata().getName().equals("tandem-dhcp-a-lease-service"))
                .findFirst()
                .orElseThrow();
        Map<String, EnvVar> env = new java.util.HashMap<>();
        lease.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().forEach(e -> env.put(e.getName(), e));
        assertThat(env.get("KAFKA_BOOTSTRAP_SERVERS").getValue()).isEqualTo("tandem-kafka-kafka-bootstrap:9093");
        assertThat(env.get("QUARKUS_DATASOURCE_JDBC_URL").getValue())
                .isEqualTo("jdbc:postgresql://tandem-pg-rw:5432/tandem_dhcp_a");
        assertThat(env.get("QUARKUS_DATASOURCE_PASSWORD")
                        .getValueFrom()
                        .getSecretKeyRef()
                        .getName())
                .isEqualTo("tandem-pg-app");
    }

    @Test
    void eachServiceUsesItsOwnDatabaseRoleAndTheTlsSettings() throws IOException {
        List<HasMetadata> all = objects(t -> MINIMAL.apply(t)
                .set("postgresql.leaseSecret", "tandem-lease-role")
                .set("postgresql.adminSecret", "tandem-admin-role")
                .set("postgresql.tls.sslMode", "verify-full")
                .set("postgresql.tls.caSecret", "tandem-pg-ca"));
        Deployment lease = deployment(all, "tandem-dhcp-a-lease-service");
        Deployment admin = deployment(all, "tandem-admin-api");
        Map<String, EnvVar> leaseEnv = env(lease);
        Map<String, EnvVar> adminEnv = env(admin);
        for (String key : List.of("QUARKUS_DATASOURCE_USERNAME", "QUARKUS_DATASOURCE_PASSWORD")) {
            assertThat(leaseEnv.get(key).getValueFrom().getSecretKeyRef().getName())
                    .isEqualTo("tandem-lease-role");
            assertThat(adminEnv.get(key).getValueFrom().getSecretKeyRef().getName())
                    .isEqualTo("tandem-admin-role");
        }
        assertThat(leaseEnv.get("QUARKUS_DATASOURCE_JDBC_URL").getValue())
                .isEqualTo("jdbc:postgresql://postgres:5432/tandem_dhcp_a"
                        + "?sslmode=verify-full&sslrootcert=/etc/tandem/pg-ca/ca.crt");
        assertThat(adminEnv.get("QUARKUS_DATASOURCE_JDBC_URL").getValue())
                .endsWith("/tandem_admin?sslmode=verify-full&sslrootcert=/etc/tandem/pg-ca/ca.crt");
        assertThat(leaseEnv.get("QUARKUS_DATASOURCE_REACTIVE_POSTGRESQL_SSL_MODE")
                        .getValue())
                .isEqualTo("verify-full");
        assertThat(leaseEnv.get("QUARKUS_DATASOURCE_REACTIVE_HOSTNAME_VERIFICATION_ALGORITHM")
                        .getValue())
                .isEqualTo("HTTPS");
        assertThat(leaseEnv.get("QUARKUS_DATASOURCE_REACTIVE_TRUST_CERTIFICATE_PEM_CERTS")
                        .getValue())
                .isEqualTo("/etc/tandem/pg-ca/ca.crt");
        for (Deployment d : List.of(lease, admin)) {
            var pod = d.getSpec().getTemplate().getSpec();
            assertThat(pod.getVolumes())
                    .extracting(
                            v -> v.getSecret() == null ? null : v.getSecret().getSecretName())
                    .contains("tandem-pg-ca");
            assertThat(pod.getContainers().get(0).getVolumeMounts())
                    .anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/etc/tandem/pg-ca"));
        }

        Map<String, EnvVar> shared = env(deployment(objects(MINIMAL), "tandem-admin-api"));
        assertThat(shared.get("QUARKUS_DATASOURCE_PASSWORD")
                        .getValueFrom()
                        .getSecretKeyRef()
                        .getName())
                .as("without a role Secret of its own, the shared one")
                .isEqualTo("tandem-postgres");
        assertThat(shared.get("QUARKUS_DATASOURCE_JDBC_URL").getValue()).doesNotContain("sslmode");
        assertThatThrownBy(() -> Manifests.render(t -> MINIMAL.apply(t).set("postgresql.tls.sslMode", "on")))
                .hasMessageContaining("/postgresql/tls/sslMode");
    }

    @Test
    void theCoordinatorsGetTheKeyThatOpensTheSealedSharedSecrets() throws IOException {
        List<HasMetadata> all = objects(t -> MINIMAL.apply(t).set("adminApi.existingSecret", "tandem-admin"));
        for (String server : List.of("dhcp-a", "dhcp-b")) {
            EnvVar key =
                    env(deployment(all, "tandem-" + server + "-coordinator")).get("TANDEM_CONFIG_KEY");
            assertThat(key.getValueFrom().getSecretKeyRef().getName()).isEqualTo("tandem-admin");
            assertThat(key.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("secret-key");
        }
    }

    @Test
    void anExternalKafkasTopicsAreMadeByAHookJobPerServerBeforeInstallAndUpgrade() {
        List<HasMetadata> all = Manifests.hooks(t -> MINIMAL.apply(t)
                .set("kafka.authentication", "scram-sha-512")
                .set("kafka.credentialsSecretPrefix", "kafka-user-")
                .set("kafka.topics.partitions", 4));
        List<Job> jobs = ofType(all, Job.class);
        assertThat(jobs)
                .extracting(j -> j.getMetadata().getName())
                .containsExactlyInAnyOrder("tandem-topics-dhcp-a", "tandem-topics-dhcp-b");
        for (Job job : jobs) {
            String server = job.getMetadata().getName().substring("tandem-topics-".length());
            assertThat(job.getMetadata().getAnnotations())
                    .containsEntry(Manifests.HOOK, "pre-install,pre-upgrade")
                    .containsEntry(Manifests.HOOK + "-delete-policy", "before-hook-creation,hook-succeeded");
            PodSpec pod = job.getSpec().getTemplate().getSpec();
            assertThat(pod.getAutomountServiceAccountToken()).isFalse();
            Container c = pod.getContainers().get(0);
            assertThat(c.getImage()).contains("/admin-api:");
            assertThat(c.getCommand())
                    .containsExactly(
                            "java",
                            "-cp",
                            "/deployments/app/*:/deployments/lib/main/*",
                            "dev.tandem.admin.tools.CreateTopics");
            assertThat(c.getArgs()).containsExactly(server, "4", "3");
            assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
            Map<String, EnvVar> env = new HashMap<>();
            c.getEnv().forEach(e -> env.put(e.getName(), e));
            assertThat(env.get("KAFKA_BOOTSTRAP_SERVERS").getValue()).isEqualTo("kafka:9092");
            assertThat(env.get("TANDEM_KAFKA_USERNAME").getValue()).isEqualTo("tandem-topics");
            assertThat(env.get("TANDEM_KAFKA_PASSWORD")
                            .getValueFrom()
                            .getSecretKeyRef()
                            .getName())
                    .isEqualTo("kafka-user-tandem-topics");
        }
        assertThat(ofType(Manifests.hooks(t -> MINIMAL.apply(t).set("kafka.topics.create", false)), Job.class))
                .isEmpty();
        assertThat(ofType(objects(MINIMAL), Job.class))
                .as("a hook, not part of the release's manifest")
                .isEmpty();
    }

    @Test
    void helmTestChecksBothCoordinatorsAndTheNetworkPolicyLetsItRead() {
        List<HasMetadata> all = Manifests.hooks(t -> MINIMAL.apply(t)
                .set("coordinator.commandTokenSecret", "tandem-command")
                .set("networkPolicy.enabled", true));
        Pod test = ofType(all, Pod.class).stream()
                .filter(p -> "test".equals(p.getMetadata().getAnnotations().get(Manifests.HOOK)))
                .findFirst()
                .orElseThrow();
        Container c = test.getSpec().getContainers().get(0);
        assertThat(c.getCommand()).endsWith("dev.tandem.admin.tools.PairCheck");
        assertThat(c.getArgs())
                .containsExactly(
                        "--wait",
                        "120",
                        "http://tandem-dhcp-a-coordinator:8080",
                        "http://tandem-dhcp-b-coordinator:8080");
        assertThat(c.getEnv()).singleElement().satisfies(e -> assertThat(
                        e.getValueFrom().getSecretKeyRef().getName())
                .isEqualTo("tandem-command"));
        assertThat(test.getSpec().getAutomountServiceAccountToken()).isFalse();
        assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        // each coordinator's NetworkPolicy lets exactly this pod's labels read its HTTP port
        Map<String, String> labels = test.getMetadata().getLabels();
        for (NetworkPolicy policy :
                ofType(objects(t -> MINIMAL.apply(t).set("networkPolicy.enabled", true)), NetworkPolicy.class)) {
            assertThat(policy.getSpec().getIngress().get(0).getFrom()).anySatisfy(peer -> assertThat(labels)
                    .containsAllEntriesOf(peer.getPodSelector().getMatchLabels())
                    .containsEntry("app.kubernetes.io/component", "helm-test"));
        }
    }

    @Test
    void dynamicDnsIsOffUntilTurnedOnAndItsKeysComeFromTheirSecret() {
        PodSpec off = Manifests.pod(objects(MINIMAL), "tandem-dhcp-a-lease-service");
        assertThat(Manifests.env(off).get("TANDEM_DDNS_ENABLED").getValue()).isEqualTo("false");
        assertThat(Manifests.env(off)).doesNotContainKey("TANDEM_DDNS_KEY_FILE");
        List<HasMetadata> all = objects(t -> MINIMAL.apply(t)
                .set("leaseService.ddns.enabled", true)
                .set("leaseService.ddns.keySecret", "ddns-keys"));
        for (String server : List.of("dhcp-a", "dhcp-b")) {
            PodSpec pod = Manifests.pod(all, "tandem-" + server + "-lease-service");
            assertThat(Manifests.env(pod).get("TANDEM_DDNS_ENABLED").getValue()).isEqualTo("true");
            assertThat(Manifests.env(pod).get("TANDEM_DDNS_KEY_FILE").getValue())
                    .isEqualTo("/etc/tandem/ddns/keys.conf");
            assertThat(Manifests.secretVolumes(pod)).contains("ddns-keys");
            assertThat(pod.getContainers().get(0).getVolumeMounts()).anySatisfy(m -> {
                assertThat(m.getMountPath()).isEqualTo("/etc/tandem/ddns");
                assertThat(m.getReadOnly()).isTrue();
            });
        }
    }

    @Test
    void jsonLogsAreOneSwitchForEveryService() throws IOException {
        List<PodSpec> json = pods(objects(t -> MINIMAL.apply(t).set("logging.json", true))).stream()
                .filter(p -> p.getContainers().get(0).getImage().contains("tandem"))
                .toList();
        assertThat(json)
                .as("two gateways, lease-services and coordinators, and the admin API")
                .hasSize(7);
        assertThat(json)
                .allSatisfy(p -> assertThat(p.getContainers().get(0).getEnv()).anySatisfy(e -> {
                    assertThat(e.getName()).isEqualTo("QUARKUS_LOG_CONSOLE_JSON_ENABLED");
                    assertThat(e.getValue()).isEqualTo("true");
                }));
        assertThat(pods(objects(MINIMAL)))
                .allSatisfy(p -> assertThat(p.getContainers().get(0).getEnv())
                        .noneMatch(e -> e.getName().equals("QUARKUS_LOG_CONSOLE_JSON_ENABLED")));
    }

    static Deployment deployment(List<HasMetadata> all, String name) {
        return ofType(all, Deployment.class).stream()
                .filter(d -> d.getMetadata().getName().equals(name))
                .findFirst()
                .orElseThrow();
    }

    static Map<String, EnvVar> env(Deployment d) {
        return Manifests.env(d.getSpec().getTemplate().getSpec());
    }

    @Test
    void theSchemaRefusesAWrongTypeAnUnknownKeyAndLatest() {
        assertThatThrownBy(() -> Manifests.render(t -> MINIMAL.apply(t).set("gateway.replicas", "two")))
                .hasMessageContaining("/gateway/replicas");
        assertThatThrownBy(() -> Manifests.render(t -> MINIMAL.apply(t).set("gateway.replicaz", 2)))
                .hasMessageContaining("additional properties 'replicaz' not allowed");
        assertThatThrownBy(() -> Manifests.render(t -> MINIMAL.apply(t).set("image.tag", "latest")))
                .hasMessageContaining("/image/tag");
        assertThatThrownBy(() -> Manifests.render(t -> MINIMAL.apply(t).set("networking.mode", "bridge")))
                .hasMessageContaining("/networking/mode");
    }

    @Test
    void missingKafkaOrPostgresIsSaidClearly() {
        assertThatThrownBy(() ->
                        Manifests.render(t -> t.set("postgresql.host", "pg").set("postgresql.existingSecret", "s")))
                .hasMessageContaining("kafka.bootstrapServers is required");
        assertThatThrownBy(() -> Manifests.render(t -> t.set("kafka.bootstrapServers", "k:9092")))
                .hasMessageContaining("postgresql.host is required");
    }

    @Test
    void theTagFollowsTheChartUnlessSet() {
        List<String> images = new ArrayList<>();
        pods(objects(t -> MINIMAL.apply(t).set("image.tag", "1.2.3")))
                .forEach(p -> p.getContainers().forEach(c -> images.add(c.getImage())));
        assertThat(images).hasSize(7).allMatch(i -> i.startsWith("ghcr.io/tandem-dhcp/") && i.endsWith(":1.2.3"));
        assertThat(images)
                .anyMatch(i -> i.contains("/packet-gateway:"))
                .anyMatch(i -> i.contains("/lease-service:"))
                .anyMatch(i -> i.contains("/failover-coordinator:"))
                .anyMatch(i -> i.contains("/admin-api:"));
    }

    @Test
    void theUnknownFieldCheckFindsAMisspeltKey() {
        String deployment =
                """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: d, labels: {a: b}}
                spec:
                  replicas: 1
                  selector: {matchLabels: {a: b}}
                  template:
                    metadata: {labels: {a: b}}
                    spec:
                      containers:
                        - name: c
                          image: i:1
                          readinessProbe: {httpGet: {path: /q/health/ready, port: 8080}, periodSecond: 5}
                """;
        HasMetadata parsed = Manifests.parse(deployment).get(0);
        assertThat(parsed).isInstanceOf(Deployment.class);
        assertThat(Manifests.unknownFields(parsed))
                .singleElement()
                .asString()
                .contains("ReadinessProbe")
                .contains("periodSecond");
    }

    @Test
    void theDefaultTagIsTheChartsAppVersionWhichIsTheBuildsVersion() throws IOException {
        String appVersion = Files.readAllLines(Manifests.CHART.resolve("Chart.yaml")).stream()
                .filter(l -> l.startsWith("appVersion:"))
                .map(l -> l.substring("appVersion:".length()).trim().replace("\"", ""))
                .findFirst()
                .orElseThrow();
        // the images are built with the project's version (Jib, quarkus.container-image.*); a release drops -SNAPSHOT
        assertThat(System.getProperty("tandem.version")).isEqualTo(appVersion + "-SNAPSHOT");
        assertThat(pods(objects(MINIMAL))).flatMap(PodSpec::getContainers).allSatisfy(c -> assertThat(c.getImage())
                .endsWith(":" + appVersion));
    }

    @Test
    void nativeImagesRunWithoutAJvm() {
        List<HasMetadata> all = objects(t -> MINIMAL.apply(t).set("image.native", true));
        assertThat(pods(all)).flatMap(PodSpec::getContainers).allSatisfy(c -> assertThat(c.getImage())
                .endsWith("-native"));
        for (StatefulSet gateway : ofType(all, StatefulSet.class)) {
            String args = String.join(
                    " ",
                    gateway.getSpec()
                            .getTemplate()
                            .getSpec()
                            .getContainers()
                            .get(0)
                            .getArgs());
            assertThat(args).startsWith("exec /work/application ").doesNotContain("java");
        }
        invariants(all, false);
    }

    /**
     * What a production cluster needs of every workload: the operator's environment variables and pod annotations on
     * each; one server's image tag, Kafka and PostgreSQL changed without touching the other's (a rolling upgrade, two
     * failure domains).
     */
    @Test
    void extraEnvAnnotationsAndOneServersOwnImageKafkaAndPostgresql() {
        List<HasMetadata> all = objects(t -> MINIMAL.apply(t)
                .set("extraEnv[0].name", "JAVA_TOOL_OPTIONS")
                .set("extraEnv[0].value", "-XX:+UseG1GC")
                .set("podAnnotations.example\\.com/team", "network")
                // a list is set whole
                .set("servers[0].name", "dhcp-a")
                .set("servers[0].database", "tandem_dhcp_a")
                .set("servers[1].name", "dhcp-b")
                .set("servers[1].database", "tandem_dhcp_b")
                .set("servers[0].imageTag", "1.1.0")
                .set("servers[0].kafkaBootstrapServers", "kafka-a:9092")
                .set("servers[0].postgresqlHost", "postgres-a"));
        for (PodSpec pod : pods(all)) {
            for (Container c : pod.getContainers()) {
                assertThat(c.getEnv())
                        .as("%s has the extra environment", c.getName())
                        .anySatisfy(e -> assertThat(e.getName()).isEqualTo("JAVA_TOOL_OPTIONS"));
            }
        }
        for (Deployment d : ofType(all, Deployment.class)) {
            assertThat(d.getSpec().getTemplate().getMetadata().getAnnotations())
                    .as(d.getMetadata().getName())
                    .containsEntry("example.com/team", "network");
        }
        for (String service : List.of("lease-service", "coordinator")) {
            PodSpec a = Manifests.pod(all, "tandem-dhcp-a-" + service);
            PodSpec b = Manifests.pod(all, "tandem-dhcp-b-" + service);
            assertThat(a.getContainers().get(0).getImage()).endsWith(":1.1.0");
            assertThat(b.getContainers().get(0).getImage()).doesNotEndWith(":1.1.0");
            assertThat(Manifests.env(a).get("KAFKA_BOOTSTRAP_SERVERS").getValue())
                    .isEqualTo("kafka-a:9092");
            assertThat(Manifests.env(b).get("KAFKA_BOOTSTRAP_SERVERS").getValue())
                    .isEqualTo("kafka:9092");
        }
        assertThat(Manifests.pod(all, "tandem-dhcp-a-gateway")
                        .getContainers()
                        .get(0)
                        .getImage())
                .endsWith(":1.1.0");
        assertThat(Manifests.pod(all, "tandem-admin-api").getContainers().get(0).getImage())
                .doesNotEndWith(":1.1.0");
        assertThat(Manifests.env(Manifests.pod(all, "tandem-dhcp-a-lease-service"))
                        .get("QUARKUS_DATASOURCE_JDBC_URL")
                        .getValue())
                .startsWith("jdbc:postgresql://postgres-a:5432/");
        assertThat(Manifests.env(Manifests.pod(all, "tandem-dhcp-b-lease-service"))
                        .get("QUARKUS_DATASOURCE_JDBC_URL")
                        .getValue())
                .startsWith("jdbc:postgresql://postgres:5432/");
        invariants(all, false);
    }

    /**
     * Each coordinator's NetworkPolicy: its HTTP port (commands, state) only from the admin API, its failover port only
     * from the partner's coordinator, plus the peers the operator names.
     */
    @Test
    void onlyTheAdminApiAndHelmTestReachACoordinatorAndOnlyThePartnerItsFailoverPort() {
        List<HasMetadata> all =
                objects(t -> MINIMAL.apply(t).set("networkPolicy.failoverPeers[0].ipBlock.cidr", "192.0.2.10/32"));
        List<io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy> policies =
                ofType(all, io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy.class);
        assertThat(policies).hasSize(2);
        for (String[] pair : List.of(new String[] {"dhcp-a", "dhcp-b"}, new String[] {"dhcp-b", "dhcp-a"})) {
            var policy = policies.stream()
                    .filter(p -> p.getMetadata().getName().equals("tandem-" + pair[0] + "-coordinator"))
                    .findFirst()
                    .orElseThrow();
            assertThat(policy.getSpec().getPodSelector().getMatchLabels())
                    .containsEntry("tandem.dev/server", pair[0])
                    .containsEntry("app.kubernetes.io/component", "coordinator");
            assertThat(policy.getSpec().getPolicyTypes()).containsExactly("Ingress");
            var rules = policy.getSpec().getIngress();
            assertThat(rules).hasSize(2);
            assertThat(rules.get(0).getPorts())
                    .singleElement()
                    .satisfies(p -> assertThat(p.getPort().getIntVal()).isEqualTo(8080));
            // the admin API and the chart's helm test, nothing else
            assertThat(rules.get(0).getFrom())
                    .extracting(f -> f.getPodSelector().getMatchLabels().get("app.kubernetes.io/component"))
                    .containsExactly("admin-api", "helm-test");
            assertThat(rules.get(1).getPorts())
                    .singleElement()
                    .satisfies(p -> assertThat(p.getPort().getIntVal()).isEqualTo(647));
            assertThat(rules.get(1).getFrom()).hasSize(2);
            assertThat(rules.get(1).getFrom().get(0).getPodSelector().getMatchLabels())
                    .containsEntry("tandem.dev/server", pair[1])
                    .containsEntry("app.kubernetes.io/component", "coordinator");
            assertThat(rules.get(1).getFrom().get(1).getIpBlock().getCidr()).isEqualTo("192.0.2.10/32");
        }
        // the admin API's pods carry the labels the policy admits
        assertThat(ofType(all, Deployment.class).stream()
                        .filter(d -> d.getMetadata().getName().equals("tandem-admin-api"))
                        .findFirst()
                        .orElseThrow()
                        .getSpec()
                        .getTemplate()
                        .getMetadata()
                        .getLabels())
                .containsEntry("app.kubernetes.io/component", "admin-api");
        assertThat(ofType(
                        objects(t -> MINIMAL.apply(t).set("networkPolicy.enabled", "false")),
                        io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy.class))
                .isEmpty();
    }

    @Test
    void noServiceMonitorOrOperatorResourceUnlessAskedFor() {
        assertThat(ofType(objects(MINIMAL), GenericKubernetesResource.class)).isEmpty();
    }

    @Test
    void theNotesSayHowToReachTheAdminApiAndWhereRelaysPoint() {
        String relay = notes(t -> t);
        assertThat(relay)
                .contains("port-forward svc/tandem-admin-api 8090:8090")
                .contains("get svc tandem-dhcp-a-gateway -o jsonpath='{.status.loadBalancer.ingress[0].ip}'")
                .contains("get svc tandem-dhcp-b-coordinator")
                .contains("serverIdentifier")
                .contains("LoadBalancer: that server's gateway Service address");
        assertThat(notes(t -> t.set("networking.relay.serviceType", "NodePort")))
                .contains("get svc tandem-dhcp-b-gateway -o jsonpath='{.spec.ports[0].nodePort}'")
                .contains("NodePort: the address of what forwards port 67 to that server's gateway node port")
                .doesNotContain("loadBalancer.ingress");
        assertThat(notes(t -> t.set("networking.mode", "hostNetwork")))
                .contains("hostNetwork mode: the gateways answer on port 67 of the nodes")
                .contains("hostNetwork: the address of the node that server's gateway runs on")
                .doesNotContain("-gateway -o jsonpath");
    }

    /** NOTES.txt as `helm install --dry-run` prints it (no cluster: client only). */
    private static String notes(UnaryOperator<com.marcnuri.helm.InstallCommand> values) {
        return values.apply(new Helm(Manifests.CHART)
                        .install()
                        .withName("tandem")
                        .withNamespace("dhcp")
                        .withKubeVersion("1.30.0")
                        .clientOnly()
                        .dryRun()
                        .set("kafka.bootstrapServers", "kafka:9092")
                        .set("postgresql.host", "postgres")
                        .set("postgresql.existingSecret", "tandem-postgres"))
                .call()
                .getOutput();
    }

    static int unprivilegedPortStart(PodSpec pod) {
        if (pod.getSecurityContext() == null || pod.getSecurityContext().getSysctls() == null) {
            return 1024;
        }
        return pod.getSecurityContext().getSysctls().stream()
                .filter(s -> s.getName().equals("net.ipv4.ip_unprivileged_port_start"))
                .map(s -> Integer.parseInt(s.getValue()))
                .findFirst()
                .orElse(1024);
    }

    /** The Deployments and StatefulSets whose pod template carries every label of the selector. */
    static List<HasMetadata> podsSelectedBy(List<HasMetadata> all, Map<String, String> selector) {
        return all.stream()
                .filter(o -> podOf(o) != null)
                .filter(o -> {
                    Map<String, String> labels = o instanceof Deployment d
                            ? d.getSpec().getTemplate().getMetadata().getLabels()
                            : ((StatefulSet) o)
                                    .getSpec()
                                    .getTemplate()
                                    .getMetadata()
                                    .getLabels();
                    return selector != null
                            && !selector.isEmpty()
                            && labels.entrySet().containsAll(selector.entrySet());
                })
                .toList();
    }

    static void assertTypedAndKnown(List<HasMetadata> all) {
        for (HasMetadata o : all) {
            assertThat(o.getMetadata().getName())
                    .as("%s has a name", o.getKind())
                    .isNotBlank();
            assertThat(labels(o))
                    .as("%s labels", o.getMetadata().getName())
                    .containsKeys("app.kubernetes.io/name", "app.kubernetes.io/instance", "helm.sh/chart");
            if (o instanceof GenericKubernetesResource) {
                // no typed model: only the operators' custom resources, never a misspelt kind or apiVersion
                assertThat(o.getApiVersion())
                        .as("%s %s", o.getKind(), o.getMetadata().getName())
                        .matches("(kafka\\.strimzi\\.io|postgresql\\.cnpg\\.io|monitoring\\.coreos\\.com)/.+");
            } else {
                assertThat(Manifests.unknownFields(o)).as("unknown fields").isEmpty();
            }
        }
    }

    static Map<String, String> labels(HasMetadata o) {
        return o.getMetadata().getLabels() == null ? Map.of() : o.getMetadata().getLabels();
    }

    static PodSpec podOf(HasMetadata o) {
        if (o instanceof Deployment d) {
            return d.getSpec().getTemplate().getSpec();
        }
        if (o instanceof StatefulSet s) {
            return s.getSpec().getTemplate().getSpec();
        }
        return null;
    }

    static List<PodSpec> pods(List<HasMetadata> all) {
        return all.stream()
                .map(ChartTest::podOf)
                .filter(java.util.Objects::nonNull)
                .toList();
    }
}
