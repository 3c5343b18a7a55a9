package dev.prtelemetry.helm;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.List;

/**
 * Core Kubernetes objects checked against the Kubernetes OpenAPI definitions, in the form the
 * official Kubernetes Java client generates from them ({@code io.kubernetes:client-java-api}):
 * each model's {@code validateJsonElement} refuses a field the definition does not have, a
 * missing required field, and a value of the wrong type, all the way down. The model for
 * {@code apps/v1 Deployment} is {@code V1Deployment}, for {@code autoscaling/v2
 * HorizontalPodAutoscaler} {@code V2HorizontalPodAutoscaler}: the version, capitalised, then the kind.
 */
final class KubernetesSchemas {
    private KubernetesSchemas() {
    }

    /** The problems (empty when valid); an object of a kind with no definition is a problem too. */
    static List<String> validate(JsonNode object) {
        String apiVersion = object.path("apiVersion").asText();
        String kind = object.path("kind").asText();
        String version = apiVersion.substring(apiVersion.lastIndexOf('/') + 1);
        String model = "io.kubernetes.client.openapi.models." + Character.toUpperCase(version.charAt(0)) + version.substring(1) + kind;
        Method validate;
        try {
            validate = Class.forName(model).getMethod("validateJsonElement", JsonElement.class);
        } catch (ReflectiveOperationException e) {
            return List.of("no Kubernetes definition for " + apiVersion + " " + kind + " (looked for " + model + ")");
        }
        try {
            validate.invoke(null, JsonParser.parseString(object.toString()));
            return List.of();
        } catch (InvocationTargetException e) {
            return List.of(e.getCause().getMessage());
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }
}
