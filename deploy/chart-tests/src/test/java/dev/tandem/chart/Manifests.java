package dev.tandem.chart;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/** The chart rendered by an embedded Helm, and its objects parsed into fabric8's typed Kubernetes model. */
final class Manifests {

    static final Path CHART = Path.of(System.getProperty("tandem.chart", "../helm/tandem"));
    static final Path EXAMPLES = CHART.resolve("examples");
    static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    /** The least an install needs: where Kafka and PostgreSQL are. */
    static final UnaryOperator<TemplateCommand> MINIMAL = t -> t.set("kafka.bootstrapServers", "kafka:9092")
            .set("postgresql.host", "postgres")
            .set("postgresql.existingSecret", "tandem-postgres");

    private Manifests() {}

    static String render(UnaryOperator<TemplateCommand> values) {
        return values.apply(new Helm(CHART)
                        .template()
                        .withName("tandem")
                        .withNamespace("dhcp")
                        .withKubeVersion("1.30.0"))
                .call();
    }

    static List<HasMetadata> parse(String yaml) {
        Object parsed = SERIALIZATION.unmarshal(yaml);
        if (parsed == null) {
            return List.of();
        }
        Collection<?> items = parsed instanceof Collection<?> c ? c : List.of(parsed);
        return items.stream().map(HasMetadata.class::cast).toList();
    }

    /** Where hook annotations show in {@link #hooks}: {@code helm.sh/hook...} renamed to this prefix. */
    static final String HOOK = "rendered.helm.sh/hook";

    private static Path withoutHooks;

    /**
     * The chart's hooks (its topics Job, its {@code helm test} pod), which the embedded Helm leaves out of a template as
     * {@code helm install} leaves them out of the release's manifest: rendered from a copy of the chart whose hook
     * annotations are renamed ({@code helm.sh/hook} to {@link #HOOK}, {@code helm.sh/hook-weight} to {@code
     * rendered.helm.sh/hook-weight}, ...), so that they render as plain objects with the annotations still to check.
     */
    static List<HasMetadata> hooks(UnaryOperator<TemplateCommand> values) {
        Path chart = copyWithRenamedHooks();
        List<HasMetadata> all = parse(values.apply(new Helm(chart)
                        .template()
                        .withName("tandem")
                        .withNamespace("dhcp")
                        .withKubeVersion("1.30.0"))
                .call());
        return all.stream()
                .filter(o -> o.getMetadata().getAnnotations() != null
                        && o.getMetadata().getAnnotations().containsKey(HOOK))
                .toList();
    }

    private static synchronized Path copyWithRenamedHooks() {
        if (withoutHooks != null) {
            return withoutHooks;
        }
        try {
            Path copy = java.nio.file.Files.createTempDirectory("tandem-chart");
            try (var files = java.nio.file.Files.walk(CHART)) {
                for (Path from : files.toList()) {
                    Path to = copy.resolve(CHART.relativize(from).toString());
                    if (java.nio.file.Files.isDirectory(from)) {
                        java.nio.file.Files.createDirectories(to);
                    } else {
                        String text = java.nio.file.Files.readString(from);
                        java.nio.file.Files.writeString(
                                to,
                                from.toString().endsWith(".yaml") ? text.replace("\"helm.sh/hook", "\"" + HOOK) : text);
                    }
                }
            }
            withoutHooks = copy;
            return copy;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static List<HasMetadata> objects(UnaryOperator<TemplateCommand> values) {
        return parse(render(values));
    }

    @SuppressWarnings("unchecked")
    static <T extends HasMetadata> List<T> ofType(List<HasMetadata> objects, Class<T> type) {
        return objects.stream().filter(type::isInstance).map(o -> (T) o).toList();
    }

    /**
     * Fields the typed model did not recognise (they land in {@code additionalProperties}), anywhere in the object: a
     * misspelt key in a template would otherwise be silently ignored by Kubernetes. Custom resources, which have no
     * typed model here, are skipped.
     */
    static List<String> unknownFields(HasMetadata object) {
        List<String> found = new ArrayList<>();
        walk(
                object,
                object.getKind() + "/" + object.getMetadata().getName(),
                found,
                Collections.newSetFromMap(new IdentityHashMap<>()));
        return found;
    }

    private static void walk(Object node, String path, List<String> found, Set<Object> seen) {
        if (node == null || !seen.add(node)) {
            return;
        }
        if (node instanceof Collection<?> c) {
            int i = 0;
            for (Object e : c) {
                walk(e, path + "[" + i++ + "]", found, seen);
            }
            return;
        }
        if (node instanceof Map<?, ?> m) {
            m.forEach((k, v) -> walk(v, path + "[" + k + "]", found, seen));
            return;
        }
        if (!node.getClass().getName().startsWith("io.fabric8.") || node instanceof GenericKubernetesResource) {
            return;
        }
        for (Method m : node.getClass().getMethods()) {
            if (m.getParameterCount() != 0
                    || Modifier.isStatic(m.getModifiers())
                    || !m.getName().startsWith("get")
                    || m.getDeclaringClass() == Object.class) {
                continue;
            }
            Object value;
            try {
                value = m.invoke(node);
            } catch (IllegalAccessException | InvocationTargetException e) {
                // a getter that cannot be read is a field this walk would miss: told, not skipped
                found.add(path + "." + m.getName().substring(3) + ": unreadable ("
                        + (e.getCause() != null ? e.getCause() : e) + ")");
                continue;
            }
            if (m.getName().equals("getAdditionalProperties")) {
                if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    found.add(path + ": " + extra);
                }
            } else {
                walk(value, path + "." + m.getName().substring(3), found, seen);
            }
        }
    }

    /** The pod of a service's Deployment or StatefulSet (the gateways). */
    static PodSpec pod(List<HasMetadata> all, String name) {
        return all.stream()
                .filter(o -> o.getMetadata().getName().equals(name))
                .flatMap(o -> o instanceof Deployment d
                        ? java.util.stream.Stream.of(d.getSpec().getTemplate().getSpec())
                        : o instanceof StatefulSet s
                                ? java.util.stream.Stream.of(
                                        s.getSpec().getTemplate().getSpec())
                                : java.util.stream.Stream.empty())
                .findFirst()
                .orElseThrow(() -> new AssertionError("no workload " + name));
    }

    static Map<String, EnvVar> env(PodSpec pod) {
        Map<String, EnvVar> env = new HashMap<>();
        pod.getContainers().get(0).getEnv().forEach(e -> env.put(e.getName(), e));
        return env;
    }

    static List<String> secretVolumes(PodSpec pod) {
        return pod.getVolumes().stream()
                .map(Volume::getSecret)
                .filter(java.util.Objects::nonNull)
                .map(v -> v.getSecretName())
                .toList();
    }
}
