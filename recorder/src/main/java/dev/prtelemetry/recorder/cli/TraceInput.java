package dev.prtelemetry.recorder.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prtelemetry.schemas.integrity.ChainVerdict;
import dev.prtelemetry.schemas.integrity.TraceDocumentVerifier;
import dev.prtelemetry.schemas.json.CanonicalizationException;
import dev.prtelemetry.schemas.json.StrictJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A trace as found on disk: an assembled trace document (one JSON file), or a folder of
 * chunk files as a client uploads them ({@code {chunk_id, chunk_seq, events}}, any names
 * ending in {@code .json}). A folder names its trace in {@code trace.json} (the create
 * response or header, with {@code trace_id}), in the chunks' own {@code trace_id}, or
 * through {@code --trace-id}.
 */
record TraceInput(Path path, String traceId, JsonNode document, List<Path> chunkFiles, List<JsonNode> chunks) {
    static final String HEADER_FILE = "trace.json";

    boolean isDocument() {
        return document != null;
    }

    /** Events in delivery order: the document's list, or the chunks' events by chunk_seq. */
    List<JsonNode> events() {
        List<JsonNode> events = new ArrayList<>();
        if (isDocument()) {
            document.path("events").forEach(events::add);
            return events;
        }
        return TraceDocumentVerifier.assembleChunks(chunks).events();
    }

    ChainVerdict verifyChain() {
        return isDocument()
                ? TraceDocumentVerifier.verifyDocument(document)
                : TraceDocumentVerifier.verifyChunks(traceId, chunks);
    }

    static TraceInput load(Path path, String traceIdOption) throws BadInput {
        if (Files.isDirectory(path)) {
            return loadFolder(path, traceIdOption);
        }
        if (!Files.isRegularFile(path)) {
            throw new BadInput(path + ": no such file or folder");
        }
        JsonNode json = read(path);
        if (json.has("chunk_seq")) {
            String traceId = traceIdOption != null ? traceIdOption : json.path("trace_id").textValue();
            if (traceId == null) {
                throw new BadInput(path + " is a single chunk without trace_id: pass --trace-id");
            }
            return new TraceInput(path, traceId, null, List.of(path), List.of(json));
        }
        if (!json.isObject() || !json.path("trace_id").isTextual() || !json.path("events").isArray()) {
            throw new BadInput(path + " is neither a trace document (trace_id, events) nor a chunk (chunk_seq, events)");
        }
        if (traceIdOption != null && !traceIdOption.equals(json.get("trace_id").textValue())) {
            throw new BadInput("--trace-id " + traceIdOption + " differs from the document's trace_id "
                    + json.get("trace_id").textValue());
        }
        return new TraceInput(path, json.get("trace_id").textValue(), json, List.of(), List.of());
    }

    private static TraceInput loadFolder(Path dir, String traceIdOption) throws BadInput {
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.filter(p -> p.getFileName().toString().endsWith(".json"))
                    .filter(p -> !p.getFileName().toString().equals(HEADER_FILE))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new BadInput(dir + ": " + e.getMessage());
        }
        if (files.isEmpty()) {
            throw new BadInput(dir + " holds no chunk files (*.json)");
        }
        List<JsonNode> chunks = new ArrayList<>();
        String fromChunks = null;
        for (Path f : files) {
            JsonNode chunk = read(f);
            if (!chunk.has("chunk_seq") || !chunk.path("events").isArray()) {
                throw new BadInput(f + " is not a chunk (chunk_seq, events)");
            }
            String id = chunk.path("trace_id").textValue();
            if (id != null) {
                if (fromChunks != null && !fromChunks.equals(id)) {
                    throw new BadInput(f + " belongs to trace " + id + ", other chunks to " + fromChunks);
                }
                fromChunks = id;
            }
            chunks.add(chunk);
        }
        String traceId = traceIdOption;
        Path header = dir.resolve(HEADER_FILE);
        if (traceId == null && Files.isRegularFile(header)) {
            traceId = read(header).path("trace_id").textValue();
        }
        if (traceId == null) {
            traceId = fromChunks;
        }
        if (traceId == null) {
            throw new BadInput("no trace id for " + dir + ": pass --trace-id, or put " + HEADER_FILE
                    + " with a trace_id in the folder");
        }
        return new TraceInput(dir, traceId, null, files, chunks);
    }

    static JsonNode read(Path file) throws BadInput {
        try {
            return StrictJson.parse(Files.readAllBytes(file));
        } catch (CanonicalizationException e) {
            throw new BadInput(file + ": " + e.getMessage());
        } catch (IOException e) {
            throw new BadInput(file + ": " + e.getMessage());
        }
    }

    /** Input that cannot be read as a trace at all. */
    static final class BadInput extends Exception {
        BadInput(String message) {
            super(message);
        }
    }
}
