package dev.tandem.chart;

import static dev.tandem.chart.Manifests.MINIMAL;
import static dev.tandem.chart.Manifests.env;
import static dev.tandem.chart.Manifests.objects;
import static dev.tandem.chart.Manifests.ofType;
import static dev.tandem.chart.Manifests.pod;
import static dev.tandem.chart.Manifests.secretVolumes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.protocol.access.BusAccess;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The bus as a trust boundary in the chart: each service logs in to Kafka as a principal of its own, whose ACLs are
 * exactly BusAccess's (the table the local stack's brokers enforce and the system tests try), over TLS when asked.
 */
class KafkaSecurityTest {

    private static final List<String> SERVERS = List.of("dhcp-a", "dhcp-b");
    private static final Map<String, String> DEPLOYMENTS = Map.of(
            "tandem-dhcp-a-gateway", "dhcp-a-gateway",
            "tandem-dhcp-a-lease-service", "dhcp-a-lease-service",
            "tandem-dhcp-a-coordinator", "dhcp-a-coordinator",
            "tandem-dhcp-b-gateway", "dhcp-b-gateway",
            "tandem-dhcp-b-lease-service", "dhcp-b-lease-service",
            "tandem-dhcp-b-coordinator", "dhcp-b-coordinator",
            "tandem-admin-api", "admin-api");

    @Test
    void withStrimziEachPrincipalIsAKafkaUserWithExactlyTheAclsOfBusAccess() {
        List<HasMetadata> all = objects(t -> t.withValuesFile(Manifests.EXAMPLES.resolve("operators.yaml")));
        List<GenericKubernetesResource> users = ofType(all, GenericKubernetesResource.class).stream()
                .filter(r -> r.getKind().equals("KafkaUser"))
                .toList();
        assertThat(users)
                .extracting(u -> u.getMetadata().getName())
                .containsExactlyInAnyOrderElementsOf(DEPLOYMENTS.keySet());

        Set<BusAccess.Grant> rendered = new HashSet<>();
        for (GenericKubernetesResource user : users) {
            String principal = user.getMetadata().getName().substring("tandem-".length());
            assertThat((String) user.get("spec", "authentication", "type")).isEqualTo("scram-sha-512");
            List<Map<String, Object>> acls = user.get("spec", "authorization", "acls");
            for (Map<String, Object> acl : acls) {
                @SuppressWarnings("unchecked")
                Map<String, String> resource = (Map<String, String>) acl.get("resource");
                @SuppressWarnings("unchecked")
                List<String> operations = (List<String>) acl.get("operations");
                assertThat(operations).hasSize(1);
                boolean topic = resource.get("type").equals("topic");
                assertThat(resource.get("patternType")).isEqualTo(topic ? "literal" : "prefix");
                rendered.add(new BusAccess.Grant(
                        principal,
                        topic ? BusAccess.Resource.TOPIC : BusAccess.Resource.GROUP_PREFIX,
                        resource.get("name"),
                        BusAccess.Operation.valueOf(operations.get(0).toUpperCase())));
            }
        }
        Set<BusAccess.Grant> expected = new HashSet<>(BusAccess.grants(SERVERS));
        // the mirror copies between two servers' own Kafka clusters, which a cluster of the chart is not
        expected.removeIf(g -> g.principal().equals(BusAccess.MIRROR));
        assertThat(rendered).isEqualTo(expected);

        GenericKubernetesResource kafka = ofType(all, GenericKubernetesResource.class).stream()
                .filter(r -> r.getKind().equals("Kafka"))
                .findFirst()
                .orElseThrow();
        List<Map<String, Object>> listeners = kafka.get("spec", "kafka", "listeners");
        assertThat(listeners).singleElement().satisfies(l -> {
            assertThat(l).containsEntry("tls", true).containsEntry("port", 9093);
            assertThat(l.get("authentication")).isEqualTo(Map.of("type", "scram-sha-512"));
        });
        assertThat((String) kafka.get("spec", "kafka", "authorization", "type")).isEqualTo("simple");
        assertThat((Object) kafka.get("spec", "entityOperator", "userOperator")).isNotNull();
    }

    @Test
    void eachServiceLogsInAsItsOwnPrincipalOverTlsCheckedAgainstTheClusterCa() {
        List<HasMetadata> all = objects(t -> t.withValuesFile(Manifests.EXAMPLES.resolve("operators.yaml")));
        DEPLOYMENTS.forEach((name, principal) -> {
            PodSpec pod = pod(all, name);
            Map<String, EnvVar> env = env(pod);
            assertThat(env.get("TANDEM_KAFKA_SECURITY_PROTOCOL").getValue()).isEqualTo("SASL_SSL");
            assertThat(env.get("TANDEM_KAFKA_USERNAME").getValue()).isEqualTo("tandem-" + principal);
            var password = env.get("TANDEM_KAFKA_PASSWORD").getValueFrom().getSecretKeyRef();
            assertThat(password.getName())
                    .as("Strimzi's Secret of the KafkaUser")
                    .isEqualTo("tandem-" + principal);
            assertThat(password.getKey()).isEqualTo("password");
            assertThat(env.get("KAFKA_BOOTSTRAP_SERVERS").getValue()).isEqualTo("tandem-kafka-kafka-bootstrap:9093");
            assertThat(env.get("KAFKA_SSL_TRUSTSTORE_TYPE").getValue()).isEqualTo("PEM");
            String ca = env.get("KAFKA_SSL_TRUSTSTORE_LOCATION").getValue();
            assertThat(pod.getContainers().get(0).getVolumeMounts())
                    .anySatisfy(m -> assertThat(ca).startsWith(m.getMountPath() + "/"));
            assertThat(secretVolumes(pod)).contains("tandem-kafka-cluster-ca-cert");
        });
    }

    @Test
    void anExternalKafkaTakesEachPrincipalsPasswordFromTheOperatorsSecretsAndMakesNoKafkaUser() {
        List<HasMetadata> all = objects(t -> MINIMAL.apply(t)
                .set("kafka.authentication", "scram-sha-512")
                .set("kafka.credentialsSecretPrefix", "kafka-user-")
                .set("kafka.tls.enabled", "true")
                .set("kafka.tls.caSecret", "corp-kafka-ca"));
        assertThat(ofType(all, GenericKubernetesResource.class))
                .noneMatch(r -> r.getKind().startsWith("Kafka"));
        Map<String, String> secrets = new HashMap<>();
        DEPLOYMENTS.forEach((name, principal) -> {
            Map<String, EnvVar> env = env(pod(all, name));
            secrets.put(
                    env.get("TANDEM_KAFKA_USERNAME").getValue(),
                    env.get("TANDEM_KAFKA_PASSWORD")
                            .getValueFrom()
                            .getSecretKeyRef()
                            .getName());
            assertThat(env.get("KAFKA_BOOTSTRAP_SERVERS").getValue()).isEqualTo("kafka:9092");
        });
        assertThat(secrets).containsEntry("tandem-dhcp-b-coordinator", "kafka-user-tandem-dhcp-b-coordinator");
        assertThat(secrets).hasSize(DEPLOYMENTS.size());
        assertThat(secretVolumes(pod(all, "tandem-admin-api"))).contains("corp-kafka-ca");

        assertThatThrownBy(() -> Manifests.render(t -> MINIMAL.apply(t).set("kafka.authentication", "scram-sha-512")))
                .hasMessageContaining("kafka.credentialsSecretPrefix is required");
        assertThatThrownBy(() -> Manifests.render(t -> MINIMAL.apply(t).set("kafka.tls.enabled", "true")))
                .hasMessageContaining("kafka.tls.caSecret is required");
        assertThatThrownBy(() -> Manifests.render(t -> MINIMAL.apply(t).set("kafka.authentication", "plain")))
                .hasMessageContaining("/kafka/authentication");
    }

    @Test
    void withoutAuthenticationNoServiceIsGivenCredentials() {
        List<HasMetadata> all = objects(MINIMAL);
        DEPLOYMENTS.keySet().forEach(name -> assertThat(env(pod(all, name)))
                .containsEntry(
                        "TANDEM_KAFKA_SECURITY_PROTOCOL",
                        new EnvVar("TANDEM_KAFKA_SECURITY_PROTOCOL", "PLAINTEXT", null))
                .doesNotContainKeys("TANDEM_KAFKA_USERNAME", "TANDEM_KAFKA_PASSWORD", "KAFKA_SSL_TRUSTSTORE_LOCATION"));
    }
}
