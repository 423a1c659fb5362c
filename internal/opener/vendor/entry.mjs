// The opener's third-party code, bundled once by scripts/opener-vendor.sh
// (make opener) into assets/vendor.js as one classic script that sets the
// global carportVendor. Only what the opener calls is exported, so the
// bundle holds nothing else (esbuild drops the rest).
//
//   age-encryption  the age file format (decrypts the bundle, streaming)
//   fflate          DEFLATE decompression, whole or streaming (the zip's entries)
//   @noble/hashes   BLAKE2b-512 (minisign pre-hashes the signed file)
//   @noble/curves   Ed25519 verification (minisign signatures)
export { Decrypter } from "age-encryption";
export { Inflate, inflateSync } from "fflate";
export { blake2b } from "@noble/hashes/blake2.js";
export { ed25519 } from "@noble/curves/ed25519.js";
