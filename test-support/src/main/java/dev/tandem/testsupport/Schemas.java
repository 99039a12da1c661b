package dev.tandem.testsupport;

import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Set;
import java.util.stream.Collectors;

/** Validates bus messages against the JSON Schemas shipped in {@code protocol} ({@code /schemas/*.schema.json}). */
public final class Schemas {

    private Schemas() {}

    /** The problems of the JSON against the named schema (e.g. "lease-event.v1"); empty when it conforms. */
    public static Set<String> problems(String schema, String json) {
        JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
        try (InputStream in = Schemas.class.getResourceAsStream("/schemas/" + schema + ".schema.json")) {
            if (in == null) {
                throw new IllegalArgumentException("no schema " + schema);
            }
            JsonSchema jsonSchema = factory.getSchema(in);
            Set<ValidationMessage> messages = jsonSchema.validate(json, com.networknt.schema.InputFormat.JSON);
            return messages.stream().map(ValidationMessage::getMessage).collect(Collectors.toSet());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
