package io.lamaserve.api;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;

import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Says what is wrong with a JSON body in the client's terms. Jackson's own messages name Java classes
 * ({@code io.lamaserve.api.IopaintInpaintRequest}), its token constants ({@code JsonToken.START_ARRAY}) and its
 * switches ("enable {@code JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS}"), and may quote up to 500 characters of the
 * offending value, which can be a slice of a base64 image sent in the wrong field.
 */
final class JsonProblems {

    /** Longest piece of a parser message quoted in an answer. */
    static final int MAX_PARSER_MESSAGE = 160;

    /** Jackson's advice on its own switches: "enable `JsonReadFeature.X` to allow", "(from `Y.getZ()`)". */
    private static final Pattern SWITCH_ADVICE = Pattern.compile(
            "[:;,]?\\s*(?:enable|disable)\\s+`[^`]*`(?:\\s+to allow)?|,\\s*from\\s+`[^`]*`");
    /** Where Jackson locates a start marker; the answer gives its own line and column instead. */
    private static final Pattern SOURCE = Pattern.compile("\\s*\\(start marker at \\[Source:.*?\\]\\)");
    /** Any other backquoted Java name left in a message. */
    private static final Pattern JAVA_NAME = Pattern.compile("`[^`]*`");

    enum Kind {
        /** A field (or the whole body) has the wrong JSON type. */
        WRONG_TYPE,
        /** More JSON after the document: a second value where the body should have ended. */
        TRAILING_DATA,
        /** A string, number or document longer than the parser reads. */
        TOO_LARGE,
        /** Not JSON at all. */
        MALFORMED
    }

    private JsonProblems() {
    }

    static Kind kindOf(JsonProcessingException e) {
        if (constraint(e) != null) {
            // the nesting-depth limit is a shape problem, every other constraint is about length
            String message = constraint(e).getOriginalMessage();
            return message != null && message.contains("nesting depth") ? Kind.MALFORMED : Kind.TOO_LARGE;
        }
        if (e instanceof MismatchedInputException mismatch) {
            // DeserializationFeature.FAIL_ON_TRAILING_TOKENS reports through this type, with no other mark than its text
            String message = mismatch.getOriginalMessage();
            return message != null && message.startsWith("Trailing token") ? Kind.TRAILING_DATA : Kind.WRONG_TYPE;
        }
        return Kind.MALFORMED;
    }

    static String describe(JsonProcessingException e) {
        return switch (kindOf(e)) {
            case WRONG_TYPE -> wrongType((MismatchedInputException) e);
            case TRAILING_DATA -> "request body: unexpected " + found(e) + " after the JSON object" + at(e)
                    + "; send exactly one JSON object";
            // the string limit is set to the body limit (StrictJson): a longer string means a longer body
            case TOO_LARGE -> constraint(e).getOriginalMessage().startsWith("String value length")
                    ? "request body: a JSON string is longer than the request body limit (lama.limits.max-body-bytes)"
                    : "request body: " + clean(constraint(e).getOriginalMessage());
            case MALFORMED -> "request body is not valid JSON" + at(e) + ": " + clean(e.getOriginalMessage());
        };
    }

    /** The parser's length or depth limit behind {@code e}, which the data binder wraps in its own exception. */
    private static StreamConstraintsException constraint(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof StreamConstraintsException limit) {
                return limit;
            }
        }
        return null;
    }

    private static String wrongType(MismatchedInputException e) {
        String field = e.getPath().stream().map(reference -> reference.getFieldName() != null
                ? reference.getFieldName() : "[" + reference.getIndex() + "]").collect(Collectors.joining("."));
        String expected = expected(e.getTargetType());
        return (field.isEmpty() ? "request body" : field) + ": expected " + expected + ", got " + found(e);
    }

    private static String expected(Class<?> target) {
        if (target == null) {
            return "another type";
        }
        if (target == Integer.class || target == int.class || target == Long.class || target == long.class) {
            return "an integer";
        }
        if (target == Boolean.class || target == boolean.class) {
            return "true or false";
        }
        if (target == String.class) {
            return "a string";
        }
        if (target == IopaintInpaintRequest.class) {
            return "a JSON object with image and mask";
        }
        return "a JSON object";
    }

    /** The kind of JSON value that was sent: the refused value itself, or the token the parser stood on. */
    private static String found(JsonProcessingException e) {
        if (e instanceof InvalidFormatException invalid && invalid.getValue() != null) {
            return switch (invalid.getValue()) {
                case String ignored -> "a string";
                case Boolean ignored -> "true or false";
                case Double ignored -> "a number with a fraction";
                case Float ignored -> "a number with a fraction";
                case java.math.BigDecimal ignored -> "a number with a fraction";
                case Number ignored -> "a whole number";
                default -> "a value of another type";
            };
        }
        String message = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        // a refused coercion names the sent type only in its text: "Cannot coerce String value (...) to ..."
        if (message.startsWith("Cannot coerce String")) {
            return "a string";
        }
        if (message.startsWith("Cannot coerce Integer")) {
            return "a whole number";
        }
        if (message.startsWith("Cannot coerce Floating-point")) {
            return "a number with a fraction";
        }
        if (message.startsWith("Cannot coerce Boolean")) {
            return "true or false";
        }
        JsonToken token = e.getProcessor() instanceof JsonParser parser ? parser.currentToken() : null;
        if (token == null) {
            return "a value of another type";
        }
        return switch (token) {
            case START_OBJECT, END_OBJECT, FIELD_NAME -> "an object";
            case START_ARRAY, END_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT -> "a whole number";
            case VALUE_NUMBER_FLOAT -> "a number with a fraction";
            case VALUE_TRUE, VALUE_FALSE -> "true or false";
            case VALUE_NULL -> "null";
            default -> "a value of another type";
        };
    }

    private static String at(JsonProcessingException e) {
        JsonLocation location = e.getLocation();
        if (location == null || location.getLineNr() < 1) {
            return "";
        }
        return " at line " + location.getLineNr() + ", column " + location.getColumnNr();
    }

    /** The parser's reason without Java names and switches, and at most {@value #MAX_PARSER_MESSAGE} characters. */
    static String clean(String parserMessage) {
        if (parserMessage == null) {
            return "unreadable";
        }
        String message = SOURCE.matcher(parserMessage).replaceAll("");
        message = SWITCH_ADVICE.matcher(message).replaceAll("");
        message = JAVA_NAME.matcher(message).replaceAll("a value").strip();
        if (message.length() <= MAX_PARSER_MESSAGE) {
            return message;
        }
        return message.substring(0, MAX_PARSER_MESSAGE) + "…";
    }
}
