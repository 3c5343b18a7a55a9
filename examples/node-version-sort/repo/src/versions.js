'use strict';

/** Splits "1.10.0-rc.1" into its release numbers and its pre-release tag. */
function parse(version) {
  const m = /^v?(\d+(?:\.\d+)*)(?:-([0-9A-Za-z.-]+))?$/.exec(String(version).trim());
  if (!m) {
    throw new Error(`not a version: ${JSON.stringify(version)}`);
  }
  return { release: m[1].split('.'), pre: m[2] || null };
}

/** Negative when a is older than b, positive when newer, 0 when they are the same release. */
function compare(a, b) {
  const x = parse(a);
  const y = parse(b);
  const n = Math.max(x.release.length, y.release.length);
  for (let i = 0; i < n; i++) {
    const p = x.release[i] || '0';
    const q = y.release[i] || '0';
    if (p !== q) {
      return p < q ? -1 : 1;
    }
  }
  if (x.pre === y.pre) return 0;
  if (x.pre === null) return 1; // a release is newer than its pre-releases
  if (y.pre === null) return -1;
  return x.pre < y.pre ? -1 : 1;
}

/** The versions from oldest to newest (a new array). */
function sortVersions(versions) {
  return [...versions].sort(compare);
}

/** The newest of the versions, or undefined for none. */
function latest(versions) {
  return sortVersions(versions).pop();
}

module.exports = { parse, compare, sortVersions, latest };
