package dev.prtelemetry.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Put;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every route the gateway serves is in its OpenAPI document, and every operation there says who
 * may call it ({@code security}; {@code []} for public ones): the security matrix (GatewayITCase)
 * is generated from that document, so an endpoint left out of it would be left out of the matrix.
 */
class OpenApiRoutesTest {
    @Test
    @SuppressWarnings("unchecked")
    void everyRouteIsDocumentedWithItsSecurity() throws Exception {
        Map<String, Object> api;
        try (InputStream in = getClass().getResourceAsStream("/openapi.yml")) {
            api = new org.yaml.snakeyaml.Yaml().load(in);
        }
        Map<String, Map<String, Object>> paths = (Map<String, Map<String, Object>>) api.get("paths");
        List<String> missing = new ArrayList<>();
        int routes = 0;
        for (Class<?> controller : List.of(TracesController.class, TraceReadsController.class, PrivacyController.class,
                OpsController.class, MetricsController.class, ApiDocsController.class)) {
            String base = controller.getAnnotation(Controller.class).value();
            base = base.equals("/") ? "" : base;
            for (Method m : controller.getDeclaredMethods()) {
                String[] route = route(m);
                if (route == null) {
                    continue;
                }
                routes++;
                String path = base + route[1];
                Map<String, Object> ops = paths.get(path);
                Object op = ops == null ? null : ops.get(route[0]);
                if (!(op instanceof Map<?, ?> operation) || !operation.containsKey("security")) {
                    missing.add(route[0].toUpperCase() + " " + path + (op == null ? " (not in openapi.yml)" : " (no security)"));
                }
            }
        }
        assertThat(routes).isGreaterThanOrEqualTo(17);
        assertThat(missing).isEmpty();
    }

    private static String[] route(Method m) {
        if (m.getAnnotation(Get.class) != null) {
            return new String[] {"get", uri(m.getAnnotation(Get.class).uri(), m.getAnnotation(Get.class).value())};
        }
        if (m.getAnnotation(Post.class) != null) {
            return new String[] {"post", uri(m.getAnnotation(Post.class).uri(), m.getAnnotation(Post.class).value())};
        }
        if (m.getAnnotation(Put.class) != null) {
            return new String[] {"put", uri(m.getAnnotation(Put.class).uri(), m.getAnnotation(Put.class).value())};
        }
        if (m.getAnnotation(Delete.class) != null) {
            return new String[] {"delete", uri(m.getAnnotation(Delete.class).uri(), m.getAnnotation(Delete.class).value())};
        }
        return null;
    }

    private static String uri(String uri, String value) {
        String route = uri != null && !uri.isEmpty() && !uri.equals("/") ? uri : value;
        return route.equals("/") ? "" : route; // @Post on a controller's own path
    }
}
