package dev.tandem.system;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * When a system test fails, the stack's service logs are what explains it, and the stack is purged right after: the
 * logs are copied under {@code system-tests/target/system/failed-*} and their warnings and errors printed, so that a
 * failure on a machine one cannot log in to still says what the services saw.
 */
final class ServiceLogsOnFailure implements TestWatcher {

    private static final int LINES_PER_FILE = 80;

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        Path logs = Path.of(Stack.env().get("TANDEM_RUN_DIR"), "logs");
        if (!Files.isDirectory(logs)) {
            return;
        }
        Path copy =
                Stack.WORK.resolve("failed-" + context.getRequiredTestClass().getSimpleName() + "-"
                        + context.getRequiredTestMethod().getName());
        StringBuilder out = new StringBuilder("\n==== service warnings and errors (logs kept in " + copy + ") ====\n");
        try (Stream<Path> files = Files.list(logs)) {
            Files.createDirectories(copy);
            for (Path file : files.sorted().toList()) {
                Files.copy(file, copy.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                List<String> notable = Files.readAllLines(file, StandardCharsets.ISO_8859_1).stream()
                        .filter(l -> l.contains(" WARN ") || l.contains(" ERROR "))
                        .toList();
                if (notable.isEmpty()) {
                    continue;
                }
                out.append("---- ").append(file.getFileName()).append(" (last ");
                out.append(Math.min(LINES_PER_FILE, notable.size()))
                        .append(" of ")
                        .append(notable.size());
                out.append(")\n");
                notable.subList(Math.max(0, notable.size() - LINES_PER_FILE), notable.size())
                        .forEach(l -> out.append(l).append('\n'));
            }
        } catch (IOException e) {
            out.append("could not read the logs: ").append(e).append('\n');
        }
        System.out.println(out);
    }
}
