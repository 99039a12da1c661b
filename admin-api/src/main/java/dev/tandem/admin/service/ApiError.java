package dev.tandem.admin.service;

import java.util.List;

/** A refusal with its HTTP status, rendered as an RFC 9457 problem document. */
public class ApiError extends RuntimeException {

    private final int status;
    private final String title;
    private final List<String> errors;

    public ApiError(int status, String title, String detail) {
        this(status, title, detail, List.of());
    }

    public ApiError(int status, String title, String detail, List<String> errors) {
        super(detail);
        this.status = status;
        this.title = title;
        this.errors = List.copyOf(errors);
    }

    public static ApiError notFound(String what) {
        return new ApiError(404, "Not found", what);
    }

    public static ApiError conflict(String detail) {
        return new ApiError(409, "Conflict", detail);
    }

    public static ApiError badRequest(String detail) {
        return new ApiError(400, "Bad request", detail);
    }

    public static ApiError preconditionFailed(String what, long current) {
        return new ApiError(
                412,
                "Precondition failed",
                what + " changed since it was read (its ETag is now \"" + current + "\"): read it again and retry");
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }

    public List<String> errors() {
        return errors;
    }
}
