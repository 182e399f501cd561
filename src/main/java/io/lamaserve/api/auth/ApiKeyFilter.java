package io.lamaserve.api.auth;

import io.lamaserve.config.LamaConfig;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.Locale;

/**
 * Optional API-key authentication ({@code lama.auth.enabled}). Runs as an HTTP filter in front of every route,
 * so the REST endpoints and the OpenAPI document are all covered and a refused request is answered without
 * waiting for its body. The health probes stay open because the platform that runs the container (Kubernetes, Knative) calls
 * them without credentials; {@code /q/metrics} stays open unless {@code lama.auth.protect-metrics} is set.
 *
 * <p>A key is accepted from {@code Authorization: Bearer <key>} or {@code X-API-Key: <key>} (either may hold it).
 * A missing or wrong key gets 401 with {@code WWW-Authenticate: Bearer} and the service's JSON error body. Keys are never logged.
 */
@ApplicationScoped
public class ApiKeyFilter {

    static final String API_KEY_HEADER = "X-API-Key";
    static final String HEALTH_PATH = "/q/health";
    static final String METRICS_PATH = "/q/metrics";
    /** High, so the check runs before the request reaches any route. */
    static final int PRIORITY = 400;

    static final String UNAUTHORIZED_DETAIL =
            "missing or invalid API key; send it as 'Authorization: Bearer <key>' or '" + API_KEY_HEADER + ": <key>'";

    private static final Logger LOG = Logger.getLogger(ApiKeyFilter.class);
    private static final String BEARER = "bearer ";

    void register(@Observes Filters filters, LamaConfig config) {
        LamaConfig.AuthConfig auth = config.auth();
        if (!auth.enabled()) {
            return;
        }
        List<String> configured = auth.apiKeys().orElse(List.of());
        ApiKeys keys;
        try {
            keys = new ApiKeys(configured);
        } catch (IllegalArgumentException e) {
            // failing the start is safer than serving an open API the operator meant to close
            throw new IllegalStateException("lama.auth.enabled=true but lama.auth.api-keys holds no key; "
                    + "set lama.auth.api-keys (LAMA_AUTH_API_KEYS) to a comma-separated list of keys");
        }
        boolean protectMetrics = auth.protectMetrics();
        LOG.infof("API-key authentication on: %d key(s); open paths: %s/*%s", keys.size(), HEALTH_PATH,
                protectMetrics ? "" : ", " + METRICS_PATH);
        filters.register(context -> check(context, keys, protectMetrics), PRIORITY);
    }

    static void check(RoutingContext context, ApiKeys keys, boolean protectMetrics) {
        String path = context.normalizedPath();
        if (isOpen(path, protectMetrics) || keys.accepts(bearerToken(context))
                || keys.accepts(context.request().getHeader(API_KEY_HEADER))) {
            context.next();
            return;
        }
        context.response()
                .setStatusCode(401)
                .putHeader("WWW-Authenticate", "Bearer realm=\"lama-serve\"")
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end("{\"error\":\"Unauthorized\",\"detail\":\"" + UNAUTHORIZED_DETAIL + "\",\"errors\":\""
                        + UNAUTHORIZED_DETAIL + "\"}");
    }

    static boolean isOpen(String path, boolean protectMetrics) {
        return under(path, HEALTH_PATH) || (!protectMetrics && under(path, METRICS_PATH));
    }

    private static boolean under(String path, String prefix) {
        return path.equals(prefix) || path.startsWith(prefix + "/");
    }

    private static String bearerToken(RoutingContext context) {
        String authorization = context.request().getHeader(HttpHeaders.AUTHORIZATION);
        if (authorization != null && authorization.length() > BEARER.length()
                && authorization.substring(0, BEARER.length()).toLowerCase(Locale.ROOT).equals(BEARER)) {
            return authorization.substring(BEARER.length());
        }
        return null;
    }
}
