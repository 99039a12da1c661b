package dev.tandem.admin.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.protocol.bus.Json;
import dev.tandem.protocol.bus.ServerConfig;

/** Scope definitions as stored: the scope of server-config.v1 in JSON. */
final class Definitions {

    private static final ObjectMapper JSON = Json.mapper();

    private Definitions() {}

    static ServerConfig.Scope read(String json) {
        try {
            return JSON.readValue(json, ServerConfig.Scope.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored scope definition unreadable", e);
        }
    }

    static String write(ServerConfig.Scope scope) {
        try {
            return JSON.writeValueAsString(scope);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
