package dev.tandem.admin.rest;

import dev.tandem.admin.service.ApiError;
import jakarta.ws.rs.core.EntityTag;
import jakarta.ws.rs.core.Response;
import java.util.function.ToLongFunction;

/** Versions as ETags: every stored resource carries one, and a replace must send it back in If-Match. */
final class Etags {

    private Etags() {}

    static <T> Response ok(T body, ToLongFunction<T> version) {
        return Response.ok(body)
                .tag(new EntityTag(Long.toString(version.applyAsLong(body))))
                .build();
    }

    static <T> Response created(T body, ToLongFunction<T> version, String location) {
        return Response.created(java.net.URI.create(location))
                .entity(body)
                .tag(new EntityTag(Long.toString(version.applyAsLong(body))))
                .build();
    }

    /** The version named by If-Match; required (428) when {@code required}, else null when absent. */
    static Long expected(String ifMatch, boolean required) {
        if (ifMatch == null || ifMatch.isBlank()) {
            if (required) {
                throw new ApiError(
                        428,
                        "Precondition required",
                        "send If-Match with the ETag from a GET of the"
                                + " resource, so that a concurrent change is not overwritten");
            }
            return null;
        }
        String tag = ifMatch.strip();
        if (tag.startsWith("W/")) {
            tag = tag.substring(2);
        }
        tag = tag.replace("\"", "");
        try {
            return Long.parseLong(tag);
        } catch (NumberFormatException e) {
            throw new ApiError(412, "Precondition failed", "If-Match " + ifMatch + " is not an ETag of this API");
        }
    }
}
