package dev.prtelemetry.schemas.integrity;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class MerkleTreeTest {
    static List<byte[]> ctLeaves(int n) {
        List<byte[]> leaves = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            leaves.add(MerkleTree.leafHash(Sha256.unhex(MerkleReferenceVectors.LEAF_DATA[i])));
        }
        return leaves;
    }

    @Test
    void rootsMatchThePublishedReferenceTreeForEverySizeUpToEight() {
        for (int n = 0; n <= 8; n++) {
            assertThat(Sha256.hex(MerkleTree.root(ctLeaves(n)))).as("size %d", n).isEqualTo(MerkleReferenceVectors.ROOTS[n]);
        }
    }

    @Test
    void rootsOfOneTwoThreeFiveSevenAndEightLeavesFollowTheRfcDefinitionStepByStep() {
        // MTH written out from RFC 6962 §2.1 for each size, with k the largest power of two < n.
        List<byte[]> d = ctLeaves(8);
        byte[] h01 = MerkleTree.nodeHash(d.get(0), d.get(1));
        byte[] h23 = MerkleTree.nodeHash(d.get(2), d.get(3));
        byte[] h45 = MerkleTree.nodeHash(d.get(4), d.get(5));
        byte[] h67 = MerkleTree.nodeHash(d.get(6), d.get(7));
        byte[] h0123 = MerkleTree.nodeHash(h01, h23);
        assertThat(MerkleTree.root(d.subList(0, 1))).isEqualTo(d.get(0));
        assertThat(MerkleTree.root(d.subList(0, 2))).isEqualTo(h01);
        assertThat(MerkleTree.root(d.subList(0, 3))).isEqualTo(MerkleTree.nodeHash(h01, d.get(2)));
        assertThat(MerkleTree.root(d.subList(0, 5))).isEqualTo(MerkleTree.nodeHash(h0123, d.get(4)));
        assertThat(MerkleTree.root(d.subList(0, 7)))
                .isEqualTo(MerkleTree.nodeHash(h0123, MerkleTree.nodeHash(h45, d.get(6))));
        assertThat(MerkleTree.root(d)).isEqualTo(MerkleTree.nodeHash(h0123, MerkleTree.nodeHash(h45, h67)));
    }

    @Test
    void inclusionProofsMatchThePublishedOnes() {
        List<byte[]> d = ctLeaves(8);
        assertThat(hex(MerkleTree.inclusionProof(d, 0))).containsExactly(
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4");
        assertThat(hex(MerkleTree.inclusionProof(d, 5))).containsExactly(
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7");
        assertThat(MerkleTree.inclusionProof(d.subList(0, 1), 0)).isEmpty();
    }

    @Test
    void consistencyProofsMatchThePublishedOnes() {
        List<byte[]> d = ctLeaves(8);
        assertThat(hex(MerkleTree.consistencyProof(d, 2))).containsExactly(
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4");
        assertThat(hex(MerkleTree.consistencyProof(d.subList(0, 5), 2))).containsExactly(
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b");
        assertThat(MerkleTree.consistencyProof(d, 8)).isEmpty();
    }

    @Property(tries = 60)
    void rootAndAuditPathsAgreeWithANaiveLevelByLevelTree(@ForAll @IntRange(min = 1, max = 70) int n) {
        List<byte[]> leaves = leaves(n, n);
        assertThat(MerkleTree.root(leaves)).isEqualTo(NaiveTree.root(leaves));
        for (int i = 0; i < n; i++) {
            assertThat(hex(MerkleTree.inclusionProof(leaves, i))).isEqualTo(hex(NaiveTree.auditPath(leaves, i)));
        }
    }

    // A tree size is only meaningful together with its root (a signed tree head binds them),
    // so the properties below damage the proof, the leaf, the root or the index, not the size alone.
    @Property(tries = 40)
    void everyInclusionProofVerifiesAndEveryWrongOneIsRefused(@ForAll @IntRange(min = 1, max = 40) int n) {
        List<byte[]> leaves = leaves(n, 7 * n);
        byte[] root = MerkleTree.root(leaves);
        for (int i = 0; i < n; i++) {
            List<byte[]> proof = MerkleTree.inclusionProof(leaves, i);
            byte[] leaf = leaves.get(i);
            assertThat(MerkleTree.checkInclusion(i, n, leaf, proof, root)).isNull();

            for (List<byte[]> wrong : ProofMutations.of(proof)) {
                assertThat(MerkleTree.checkInclusion(i, n, leaf, wrong, root)).as("mutated proof, leaf %d of %d", i, n).isNotNull();
            }
            assertThat(MerkleTree.checkInclusion(i, n, flip(leaf), proof, root)).isNotNull();
            assertThat(MerkleTree.checkInclusion(i, n, leaf, proof, flip(root))).isNotNull();
            if (n > 1) {
                assertThat(MerkleTree.checkInclusion((i + 1) % n, n, leaf, proof, root)).isNotNull();
            }
            assertThat(MerkleTree.checkInclusion(n, n, leaf, proof, root)).isNotNull();
        }
    }

    @Property(tries = 30)
    void everyConsistencyProofVerifiesAndEveryWrongOneIsRefused(@ForAll @IntRange(min = 1, max = 33) int n) {
        List<byte[]> leaves = leaves(n, 3 * n + 1);
        byte[] root2 = MerkleTree.root(leaves);
        for (int m = 0; m <= n; m++) {
            byte[] root1 = MerkleTree.root(leaves.subList(0, m));
            List<byte[]> proof = MerkleTree.consistencyProof(leaves, m);
            assertThat(MerkleTree.checkConsistency(m, n, root1, root2, proof)).as("%d -> %d", m, n).isNull();
            if (m == 0) {
                continue; // the empty tree is consistent with every tree: nothing can be wrong
            }
            for (List<byte[]> wrong : ProofMutations.of(proof)) {
                assertThat(MerkleTree.checkConsistency(m, n, root1, root2, wrong)).as("mutated, %d -> %d", m, n).isNotNull();
            }
            assertThat(MerkleTree.checkConsistency(m, n, flip(root1), root2, proof)).isNotNull();
            assertThat(MerkleTree.checkConsistency(m, n, root1, flip(root2), proof)).isNotNull();
            if (m < n) {
                assertThat(MerkleTree.checkConsistency(m + 1, n, root1, root2, proof)).isNotNull();
            }
        }
    }

    static List<byte[]> leaves(int n, int salt) {
        List<byte[]> leaves = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            leaves.add(MerkleTree.leafHash(new byte[] {(byte) i, (byte) (i >> 8), (byte) salt}));
        }
        return leaves;
    }

    static byte[] flip(byte[] b) {
        byte[] c = b.clone();
        c[c.length - 1] ^= 1;
        return c;
    }

    static List<String> hex(List<byte[]> proof) {
        return proof.stream().map(Sha256::hex).toList();
    }

    /** Every way to damage a proof: flip a bit of an element, drop one, add one, swap two. */
    static final class ProofMutations {
        static List<List<byte[]>> of(List<byte[]> proof) {
            List<List<byte[]>> out = new ArrayList<>();
            for (int i = 0; i < proof.size(); i++) {
                List<byte[]> flipped = new ArrayList<>(proof);
                flipped.set(i, flip(proof.get(i)));
                out.add(flipped);
                List<byte[]> dropped = new ArrayList<>(proof);
                dropped.remove(i);
                out.add(dropped);
                for (int j = i + 1; j < proof.size(); j++) {
                    if (!java.util.Arrays.equals(proof.get(i), proof.get(j))) {
                        List<byte[]> swapped = new ArrayList<>(proof);
                        swapped.set(i, proof.get(j));
                        swapped.set(j, proof.get(i));
                        out.add(swapped);
                    }
                }
            }
            List<byte[]> extended = new ArrayList<>(proof);
            extended.add(Sha256.digest(new byte[] {42}));
            out.add(extended);
            return out;
        }
    }

    /**
     * An independent construction: hash level by level, pairing neighbours left to right
     * and lifting an unpaired last node unchanged, which yields the same tree as RFC 6962's
     * recursive split. The audit path is each level's sibling, when there is one.
     */
    static final class NaiveTree {
        static byte[] root(List<byte[]> leaves) {
            List<byte[]> level = leaves;
            while (level.size() > 1) {
                level = up(level);
            }
            return level.get(0);
        }

        static List<byte[]> auditPath(List<byte[]> leaves, int index) {
            List<byte[]> path = new ArrayList<>();
            List<byte[]> level = leaves;
            int i = index;
            while (level.size() > 1) {
                int sibling = (i % 2 == 0) ? i + 1 : i - 1;
                if (sibling < level.size()) {
                    path.add(level.get(sibling));
                }
                level = up(level);
                i /= 2;
            }
            return path;
        }

        private static List<byte[]> up(List<byte[]> level) {
            List<byte[]> next = new ArrayList<>();
            for (int i = 0; i < level.size(); i += 2) {
                next.add(i + 1 < level.size() ? MerkleTree.nodeHash(level.get(i), level.get(i + 1)) : level.get(i));
            }
            return next;
        }
    }
}
