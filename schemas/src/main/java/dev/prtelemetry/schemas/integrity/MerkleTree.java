package dev.prtelemetry.schemas.integrity;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The Merkle tree of RFC 6962 §2.1 / RFC 9162 §2.1 with SHA-256: leaf hash
 * {@code SHA-256(0x00 ‖ data)}, node hash {@code SHA-256(0x01 ‖ left ‖ right)}, and a tree of
 * n leaves split at the largest power of two smaller than n. Proof generation follows the
 * RFC's PATH and SUBPROOF definitions; verification follows RFC 9162 §2.1.3.2 and §2.1.4.2.
 *
 * <p>In a trace, leaf i's data is the 32 raw bytes of event i's hash, so one event can be
 * proven to belong to an exported trace without shipping the rest of it.
 */
public final class MerkleTree {
    private static final byte LEAF_PREFIX = 0x00;
    private static final byte NODE_PREFIX = 0x01;

    private MerkleTree() {
    }

    public static byte[] leafHash(byte[] data) {
        MessageDigest md = Sha256.newDigest();
        md.update(LEAF_PREFIX);
        md.update(data);
        return md.digest();
    }

    public static byte[] nodeHash(byte[] left, byte[] right) {
        MessageDigest md = Sha256.newDigest();
        md.update(NODE_PREFIX);
        md.update(left);
        md.update(right);
        return md.digest();
    }

    /** Leaf hashes of a trace's events, from their hex hashes. */
    public static List<byte[]> leavesFromEventHashes(List<String> eventHashes) {
        List<byte[]> leaves = new ArrayList<>(eventHashes.size());
        for (String h : eventHashes) {
            leaves.add(leafHash(Sha256.unhex(h)));
        }
        return leaves;
    }

    /** MTH(D[n]) over already-hashed leaves; the empty tree's root is SHA-256 of nothing. */
    public static byte[] root(List<byte[]> leafHashes) {
        return subtreeRoot(leafHashes, 0, leafHashes.size());
    }

    private static byte[] subtreeRoot(List<byte[]> leaves, int from, int to) {
        int n = to - from;
        if (n == 0) {
            return Sha256.digest(new byte[0]);
        }
        if (n == 1) {
            return leaves.get(from);
        }
        int k = largestPowerOfTwoBelow(n);
        return nodeHash(subtreeRoot(leaves, from, from + k), subtreeRoot(leaves, from + k, to));
    }

    /** PATH(m, D[n]) of RFC 6962 §2.1.1: the audit path of leaf {@code index}. */
    public static List<byte[]> inclusionProof(List<byte[]> leafHashes, int index) {
        if (index < 0 || index >= leafHashes.size()) {
            throw new IllegalArgumentException("leaf index " + index + " is outside a tree of " + leafHashes.size());
        }
        List<byte[]> proof = new ArrayList<>();
        path(leafHashes, index, 0, leafHashes.size(), proof);
        return proof;
    }

    private static void path(List<byte[]> leaves, int m, int from, int to, List<byte[]> proof) {
        int n = to - from;
        if (n <= 1) {
            return;
        }
        int k = largestPowerOfTwoBelow(n);
        if (m < k) {
            path(leaves, m, from, from + k, proof);
            proof.add(subtreeRoot(leaves, from + k, to));
        } else {
            path(leaves, m - k, from + k, to, proof);
            proof.add(subtreeRoot(leaves, from, from + k));
        }
    }

    /** PROOF(m, D[n]) of RFC 6962 §2.1.2: proves the first {@code size1} leaves are a prefix. */
    public static List<byte[]> consistencyProof(List<byte[]> leafHashes, int size1) {
        int n = leafHashes.size();
        if (size1 < 0 || size1 > n) {
            throw new IllegalArgumentException("size " + size1 + " is not within a tree of " + n);
        }
        List<byte[]> proof = new ArrayList<>();
        if (size1 == 0 || size1 == n) {
            return proof;
        }
        subproof(leafHashes, size1, 0, n, true, proof);
        return proof;
    }

    private static void subproof(List<byte[]> leaves, int m, int from, int to, boolean complete, List<byte[]> proof) {
        int n = to - from;
        if (m == n) {
            if (!complete) {
                proof.add(subtreeRoot(leaves, from, to));
            }
            return;
        }
        int k = largestPowerOfTwoBelow(n);
        if (m <= k) {
            subproof(leaves, m, from, from + k, complete, proof);
            proof.add(subtreeRoot(leaves, from + k, to));
        } else {
            subproof(leaves, m - k, from + k, to, false, proof);
            proof.add(subtreeRoot(leaves, from, from + k));
        }
    }

    /** RFC 9162 §2.1.3.2. Returns null when the proof is valid, else the reason it is not. */
    public static String checkInclusion(long index, long size, byte[] leafHash, List<byte[]> proof, byte[] root) {
        if (size <= 0 || index < 0 || index >= size) {
            return "leaf index " + index + " is not inside a tree of size " + size;
        }
        long fn = index;
        long sn = size - 1;
        byte[] r = leafHash;
        for (byte[] p : proof) {
            if (p.length != 32) {
                return "proof element is " + p.length + " bytes, not 32";
            }
            if (sn == 0) {
                return "proof is longer than a tree of size " + size + " needs";
            }
            if ((fn & 1) == 1 || fn == sn) {
                r = nodeHash(p, r);
                while ((fn & 1) == 0 && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
            } else {
                r = nodeHash(r, p);
            }
            fn >>= 1;
            sn >>= 1;
        }
        if (sn != 0) {
            return "proof is shorter than a tree of size " + size + " needs";
        }
        if (!Arrays.equals(r, root)) {
            return "proof leads to root " + Sha256.hex(r) + ", not the given root";
        }
        return null;
    }

    /** RFC 9162 §2.1.4.2. Returns null when the proof is valid, else the reason it is not. */
    public static String checkConsistency(long size1, long size2, byte[] root1, byte[] root2, List<byte[]> proof) {
        if (size1 < 0 || size2 < 0 || size1 > size2) {
            return "sizes " + size1 + " and " + size2 + " are not an old and a new tree size";
        }
        for (byte[] p : proof) {
            if (p.length != 32) {
                return "proof element is " + p.length + " bytes, not 32";
            }
        }
        if (size1 == size2) {
            if (!proof.isEmpty()) {
                return "trees of equal size need an empty proof";
            }
            return Arrays.equals(root1, root2) ? null : "equal sizes but different roots";
        }
        if (size1 == 0) {
            // The empty tree is a prefix of every tree: nothing to prove.
            return proof.isEmpty() ? null : "a proof from the empty tree must be empty";
        }
        if (proof.isEmpty()) {
            return "empty proof for different sizes";
        }
        List<byte[]> path = new ArrayList<>(proof);
        if (Long.bitCount(size1) == 1) {
            path.add(0, root1);
        }
        long fn = size1 - 1;
        long sn = size2 - 1;
        while ((fn & 1) == 1) {
            fn >>= 1;
            sn >>= 1;
        }
        byte[] fr = path.get(0);
        byte[] sr = path.get(0);
        for (int i = 1; i < path.size(); i++) {
            byte[] c = path.get(i);
            if (sn == 0) {
                return "proof is longer than these sizes need";
            }
            if ((fn & 1) == 1 || fn == sn) {
                fr = nodeHash(c, fr);
                sr = nodeHash(c, sr);
                while ((fn & 1) == 0 && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
            } else {
                sr = nodeHash(sr, c);
            }
            fn >>= 1;
            sn >>= 1;
        }
        if (sn != 0) {
            return "proof is shorter than these sizes need";
        }
        if (!Arrays.equals(fr, root1)) {
            return "proof does not lead to the old root";
        }
        if (!Arrays.equals(sr, root2)) {
            return "proof does not lead to the new root";
        }
        return null;
    }

    static int largestPowerOfTwoBelow(int n) {
        return Integer.highestOneBit(n - 1);
    }
}
