package dev.tandem.protocol.config;

import java.util.List;

/** A configuration was refused; every problem found is listed, each saying what and why. */
public final class InvalidConfigException extends RuntimeException {

    private final List<String> problems;

    public InvalidConfigException(List<String> problems) {
        super("configuration refused: " + String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
