package dev.prtelemetry.gateway;

import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;

/**
 * The API docs at {@code /docs}, where the replaced system's users look for them: Swagger UI (from its
 * webjar, served under {@code /docs/assets/}) over this gateway's OpenAPI document ({@code /openapi.yml}).
 * No inline script: the page loads {@code /docs/init.js}, so a strict script policy holds.
 */
@Controller
public class ApiDocsController {
    private static final String PAGE = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>PR Telemetry API</title>
            <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
            <link rel="icon" type="image/png" href="/docs/assets/favicon-32x32.png"></head>
            <body><div id="swagger-ui"></div>
            <script src="/docs/assets/swagger-ui-bundle.js"></script>
            <script src="/docs/init.js"></script></body></html>
            """;
    private static final String INIT = """
            window.ui = SwaggerUIBundle({url: "/openapi.yml", dom_id: "#swagger-ui", deepLinking: true,
              presets: [SwaggerUIBundle.presets.apis], layout: "BaseLayout", validatorUrl: null});
            """;

    /** Also answers {@code /docs/}: Micronaut matches a trailing slash to the same route. */
    @Get(uri = "/docs", produces = MediaType.TEXT_HTML)
    public HttpResponse<String> page() {
        return HttpResponse.ok(PAGE).header("Content-Security-Policy", "default-src 'self'; img-src 'self' data:;"
                + " style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'");
    }

    @Get(uri = "/docs/init.js", produces = "text/javascript")
    public String init() {
        return INIT;
    }
}
