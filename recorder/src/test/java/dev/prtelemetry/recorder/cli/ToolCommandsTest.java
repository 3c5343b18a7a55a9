package dev.prtelemetry.recorder.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prtelemetry.schemas.integrity.EventHasher;
import dev.prtelemetry.schemas.integrity.MerkleReferenceVectors;
import dev.prtelemetry.schemas.integrity.TraceFixtures;
import dev.prtelemetry.schemas.json.StrictJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** prt canon, hash, schema and merkle, run as a user runs them. */
class ToolCommandsTest {
    @TempDir
    Path dir;

    @Test
    void canonWritesTheCanonicalFormAndRefusesDuplicates() {
        var ok = PrtRunner.runWithStdin("{ \"b\": [1.50, 1E30, \"\\u20ac\"], \"a\": null }", "canon");
        assertThat(ok.exitCode()).isZero();
        assertThat(ok.out()).isEqualTo("{\"a\":null,\"b\":[1.5,1e+30,\"€\"]}");
        var dup = PrtRunner.runWithStdin("{\"a\":1,\"a\":1}", "canon");
        assertThat(dup.exitCode()).isEqualTo(1);
        assertThat(dup.err()).contains("Duplicate field 'a'");
        assertThat(PrtRunner.runWithStdin("[1e999]", "canon").err()).contains("IEEE-754");
    }

    @Test
    void hashPrintsTheEventHashAndTheGenesisValue() {
        JsonNode event = TraceFixtures.sampleDocument().get("events").get(1);
        var result = PrtRunner.runWithStdin(StrictJson.toString(event), "hash");
        assertThat(result.line()).isEqualTo(event.get("hash").textValue()).isEqualTo(EventHasher.hash(event));
        assertThat(PrtRunner.run("hash", "--genesis", "abc").line())
                .isEqualTo("48d98eea14083df60f73553883dddb78bdc05bc08cd80281670eb382360cafd4");
    }

    @Test
    void schemaValidateListsEveryViolationWithItsPointer() throws IOException {
        Path good = dir.resolve("good.json");
        Files.writeString(good, "{\"final_seq\": 3, \"chain_head\": \"" + "ab".repeat(32) + "\"}");
        var ok = PrtRunner.run("schema", "validate", good.toString());
        assertThat(ok.exitCode()).isZero();
        assertThat(ok.line()).isEqualTo("OK 1 file valid");

        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "{\"participant_id\": \"p 1\", \"task_id\": \"t\", \"task_title\": \"x\","
                + " \"repo_origin\": \"o\", \"start_commit\": \"HEAD\", \"consent\": {\"granted\": false}}");
        var result = PrtRunner.run("schema", "validate", bad.toString());
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out().lines().toList()).containsExactlyInAnyOrder(
                bad + ": /consent/granted: must be the constant value 'true'",
                bad + ": /participant_id: does not match the regex pattern ^[A-Za-z0-9._@:-]+$",
                bad + ": /start_commit: does not match the regex pattern ^([0-9a-f]{4,40}|[0-9a-f]{64})$");
    }

    @Test
    void schemaValidateHonoursAnExplicitSchema() throws IOException {
        Path note = dir.resolve("note.json");
        Files.writeString(note, "{\"kind\": \"plan\", \"text\": \"look\"}");
        assertThat(PrtRunner.run("schema", "validate", "--as", "rationale-note", note.toString()).exitCode()).isZero();
        assertThat(PrtRunner.run("schema", "validate", "--as", "cmd_run", note.toString()).exitCode()).isEqualTo(1);
        assertThat(PrtRunner.run("schema", "show", "chunk").out()).contains("\"maxItems\" : 500");
    }

    @Test
    void merkleRootOfTheReferenceLeavesMatchesForEverySize() {
        for (int n = 0; n <= 8; n++) {
            String stdin = n == 0 ? "" : String.join("\n", List.of(MerkleReferenceVectors.LEAF_DATA).subList(0, n)) + "\n";
            assertThat(PrtRunner.runWithStdin(stdin, "merkle", "root").line()).as("size %d", n).isEqualTo(MerkleReferenceVectors.ROOTS[n]);
        }
        assertThat(PrtRunner.runWithStdin("zz\n", "merkle", "root").exitCode()).isEqualTo(1);
    }

    @Test
    void aProofFromMerkleProveIsAcceptedByCheckInclusionAndADamagedOneIsNot() throws IOException {
        Path trace = dir.resolve("trace.json");
        Files.write(trace, StrictJson.mapper().writeValueAsBytes(TraceFixtures.sampleDocument()));
        for (int seq = 0; seq < 9; seq++) {
            JsonNode proof = StrictJson.parse(PrtRunner.run("merkle", "prove", trace.toString(), "" + seq).out());
            List<String> path = new ArrayList<>();
            proof.get("proof").forEach(p -> path.add(p.textValue()));
            List<String> args = new ArrayList<>(List.of("merkle", "check-inclusion",
                    "--index", "" + seq, "--size", proof.get("tree_size").asText(),
                    "--leaf-hash", proof.get("leaf_hash").textValue(), "--root", proof.get("root").textValue()));
            if (!path.isEmpty()) {
                args.addAll(List.of("--proof", String.join(",", path)));
            }
            var ok = PrtRunner.run(args.toArray(String[]::new));
            assertThat(ok.exitCode()).as(ok.out()).isZero();

            args.set(3, "" + ((seq + 1) % 9));
            var wrongIndex = PrtRunner.run(args.toArray(String[]::new));
            assertThat(wrongIndex.exitCode()).isEqualTo(1);
            assertThat(wrongIndex.line()).startsWith("FAIL inclusion proof: ");
        }
    }

    @Test
    void checkConsistencyAcceptsTheReferenceProofAndRefusesADamagedOne() {
        String p1 = "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e";
        String p2 = "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4";
        var ok = PrtRunner.run("merkle", "check-consistency", "--size1", "2", "--size2", "8",
                "--root1", MerkleReferenceVectors.ROOTS[2], "--root2", MerkleReferenceVectors.ROOTS[8], "--proof", p1 + "," + p2);
        assertThat(ok.exitCode()).isZero();
        var bad = PrtRunner.run("merkle", "check-consistency", "--size1", "2", "--size2", "8",
                "--root1", MerkleReferenceVectors.ROOTS[2], "--root2", MerkleReferenceVectors.ROOTS[8], "--proof", p2 + "," + p1);
        assertThat(bad.exitCode()).isEqualTo(1);
        var empty = PrtRunner.run("merkle", "check-consistency", "--size1", "8", "--size2", "8",
                "--root1", MerkleReferenceVectors.ROOTS[8], "--root2", MerkleReferenceVectors.ROOTS[8]);
        assertThat(empty.exitCode()).isZero();
        var notHex = PrtRunner.run("merkle", "check-consistency", "--size1", "2", "--size2", "8",
                "--root1", "xyz", "--root2", MerkleReferenceVectors.ROOTS[8], "--proof", p1);
        assertThat(notHex.exitCode()).isEqualTo(1);
        assertThat(notHex.line()).contains("not hex");
    }

    /**
     * Issue 13, finding 6: an empty proof element ({@code ,h1,h2}, {@code h1,h2,}, {@code h1,,h2}) makes
     * the check fail with a clear message; it was dropped silently, and the shortened proof checked.
     */
    @Test
    void aProofWithAnEmptyElementFailsInsteadOfBeingRepaired() {
        String p1 = "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e";
        String p2 = "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4";
        for (String proof : new String[] {"," + p1 + "," + p2, p1 + "," + p2 + ",", p1 + ",," + p2, ""}) {
            var r = PrtRunner.run("merkle", "check-consistency", "--size1", "2", "--size2", "8",
                    "--root1", MerkleReferenceVectors.ROOTS[2], "--root2", MerkleReferenceVectors.ROOTS[8], "--proof", proof);
            assertThat(r.exitCode()).as(proof).isEqualTo(1);
            assertThat(r.line()).as(proof).startsWith("FAIL consistency proof: ").contains("is empty");
        }
        var shortElement = PrtRunner.run("merkle", "check-inclusion", "--index", "0", "--size", "2", "--leaf-hash", p1,
                "--root", p2, "--proof", p1.substring(2));
        assertThat(shortElement.exitCode()).isEqualTo(1);
        assertThat(shortElement.line()).contains("--proof element 1 must be 32 bytes");
    }

    @Test
    void proveConsistencyBetweenAPrefixAndTheWholeTraceChecksOut() throws IOException {
        Path trace = dir.resolve("trace.json");
        Files.write(trace, StrictJson.mapper().writeValueAsBytes(TraceFixtures.sampleDocument()));
        JsonNode proof = StrictJson.parse(PrtRunner.run("merkle", "prove-consistency", trace.toString(), "--size1", "5").out());
        List<String> path = new ArrayList<>();
        proof.get("proof").forEach(p -> path.add(p.textValue()));
        var result = PrtRunner.run("merkle", "check-consistency", "--size1", "5", "--size2", "9",
                "--root1", proof.get("root1").textValue(), "--root2", proof.get("root2").textValue(),
                "--proof", String.join(",", path));
        assertThat(result.exitCode()).as(result.out()).isZero();
    }

    @Test
    void wrongUsageExitsWithTwo() {
        assertThat(PrtRunner.run("merkle", "check-inclusion", "--index", "0").exitCode()).isEqualTo(2);
        assertThat(PrtRunner.run("no-such-command").exitCode()).isEqualTo(2);
    }
}
