package dev.prtelemetry.gateway.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.schemas.json.StrictJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console's verification script (the code the "verify in this browser" button runs) under
 * Node, whose WebCrypto is the browser's API: RFC 8785's own test vectors, every example's stored
 * document accepted with the Merkle root the Java side computed, and a changed event named by its
 * seq. The browser test drives the same script in chromium; this one covers every example fast.
 */
class ConsoleScriptTest {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final Path SCRIPT = Path.of("src/main/resources/console/console.js").toAbsolutePath();

    @TempDir
    Path dir;

    @Test
    void canonicalizesRfc8785sTestVectors() throws Exception {
        for (String name : List.of("sample", "sorting")) {
            Path in = ROOT.resolve("schemas/src/test/resources/rfc8785/" + name + "-input.json");
            String expected = Files.readString(ROOT.resolve("schemas/src/test/resources/rfc8785/" + name + "-output.json")).strip();
            String out = node("const c = require(process.argv[1]); const fs = require('fs');"
                    + " process.stdout.write(c.jcs(JSON.parse(fs.readFileSync(process.argv[2], 'utf8'))));", in.toString());
            assertThat(out).as(name).isEqualTo(expected);
        }
    }

    @Test
    void acceptsEveryExampleDocumentWithItsMerkleRoot() throws Exception {
        List<Path> docs;
        try (Stream<Path> s = Files.list(ROOT.resolve("examples"))) {
            docs = s.map(p -> p.resolve("trace.json")).filter(Files::isRegularFile).sorted().toList();
        }
        assertThat(docs).hasSizeGreaterThanOrEqualTo(3);
        for (Path doc : docs) {
            JsonNode result = StrictJson.parse(verify(doc));
            JsonNode integrity = StrictJson.parse(Files.readAllBytes(doc)).get("integrity");
            assertThat(result.path("ok").asBoolean()).as(doc + ": " + result).isTrue();
            assertThat(result.get("root").asText()).isEqualTo(integrity.get("merkle_root").asText());
            assertThat(result.get("head").asText()).isEqualTo(integrity.get("chain_head").asText());
        }
    }

    @Test
    void namesTheSeqOfAChangedEventAndABrokenLink() throws Exception {
        ObjectNode doc = (ObjectNode) StrictJson.parse(Files.readAllBytes(ROOT.resolve("examples/dates-leap-day/trace.json")));
        ((ObjectNode) doc.get("events").get(5).get("payload")).put("text", "changed after the fact");
        Path changed = dir.resolve("changed.json");
        Files.writeString(changed, doc.toString());
        JsonNode r = StrictJson.parse(verify(changed));
        assertThat(r.get("seq").asInt()).isEqualTo(5);
        assertThat(r.get("reason").asText()).startsWith("its content hashes to");

        ObjectNode swapped = (ObjectNode) StrictJson.parse(Files.readAllBytes(ROOT.resolve("examples/dates-leap-day/trace.json")));
        ((ObjectNode) swapped.get("integrity")).put("merkle_root", "0".repeat(64));
        Path root = dir.resolve("root.json");
        Files.writeString(root, swapped.toString());
        JsonNode rr = StrictJson.parse(verify(root));
        assertThat(rr.get("seq").isNull()).isTrue();
        assertThat(rr.get("reason").asText()).contains("Merkle root");
    }

    private String verify(Path doc) throws Exception {
        return node("const c = require(process.argv[1]); const fs = require('fs');"
                + " c.verifyDocument(JSON.parse(fs.readFileSync(process.argv[2], 'utf8')))"
                + ".then(r => process.stdout.write(JSON.stringify(r)));", doc.toString());
    }

    private String node(String script, String arg) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("node", "-e", script, SCRIPT.toString(), arg).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String text = new String(out, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(text).isZero();
        return text;
    }
}
