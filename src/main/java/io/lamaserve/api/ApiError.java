package io.lamaserve.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The JSON body of every error, in IOPaint's shape: {@code error} names the kind of failure, {@code detail} says
 * what was wrong in words a client can act on, {@code errors} repeats it (IOPaint clients read either).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ApiError(String error, String detail, String body, String errors) {

    public static ApiError of(String error, String detail) {
        return new ApiError(error, detail, null, detail);
    }
}
