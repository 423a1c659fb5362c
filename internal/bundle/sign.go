package bundle

// Bundles are signed by the DCC with minisign (Ed25519), because age does
// not authenticate the sender: anyone holding a party's public recipient
// could otherwise make a bundle that opens. minisign is a small, well-kept
// format with a maintained Go implementation and upstream command-line
// tools, so a party can check a bundle without carport.
//
// Two signatures, both by the same key:
//   - outer: <party>.zip.age.minisig beside the bundle, over the ciphertext
//     file (pre-hashed, minisign's default), its trusted comment naming the
//     period, the party and the sha256 of the zip inside, so the ciphertext
//     is checked before it is decrypted and the zip after;
//   - inner: manifest.json.minisig inside the zip, over manifest.json, so a
//     decrypted copy can be checked on its own. Its trusted comment has no
//     timestamp and Ed25519 is deterministic, so the zip stays reproducible.

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"aead.dev/minisign"
)

// SignatureName is the inner signature of manifest.json, the second entry
// of every zip.
const SignatureName = ManifestName + ".minisig"

// SignatureSuffix is added to a bundle's file name to name its outer
// signature: OUT/<period>/<party>.zip.age.minisig.
const SignatureSuffix = ".minisig"

// maxSignatureSize bounds a signature file; real ones are under 400 bytes.
const maxSignatureSize = 4 << 10

// Signer signs bundles with the DCC's secret key.
type Signer struct {
	key minisign.PrivateKey
	pub minisign.PublicKey
}

// PublicKey is a DCC public signing key that bundles are checked against.
type PublicKey struct {
	key minisign.PublicKey
}

// GenerateSigningKey makes a new minisign key pair and returns the public
// key file (minisign's format: an untrusted comment line, then the key) and
// the secret key file (unencrypted: keep it in a secret store, never in the
// repository).
func GenerateSigningKey() (public, secret []byte, err error) {
	pub, priv, err := minisign.GenerateKey(rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("generating signing key: %w", err)
	}
	pt, _ := pub.MarshalText() // never fails
	st, err := priv.MarshalText()
	if err != nil {
		return nil, nil, fmt.Errorf("encoding signing key: %w", err)
	}
	st = bytes.Replace(st, []byte("minisign encrypted secret key"), []byte("carport DCC signing secret key (unencrypted): never commit"), 1)
	return append(pt, '\n'), append(st, '\n'), nil
}

// ParsePublicKey reads a minisign public key: the two-line file or the
// bare base64 key.
func ParsePublicKey(text []byte) (*PublicKey, error) {
	var k minisign.PublicKey
	t := bytes.TrimSpace(text)
	if i := bytes.LastIndexByte(t, '\n'); i >= 0 {
		if !bytes.HasPrefix(t, []byte("untrusted comment:")) {
			return nil, errors.New("not a minisign public key")
		}
		t = bytes.TrimSpace(t[i+1:])
	}
	if err := k.UnmarshalText(t); err != nil {
		return nil, errors.New("not a minisign public key")
	}
	return &PublicKey{key: k}, nil
}

// ReadPublicKey reads a minisign public key file.
func ReadPublicKey(path string) (*PublicKey, error) {
	b, err := readSmall(path, maxSignatureSize)
	if err != nil {
		return nil, fmt.Errorf("reading public signing key: %w", err)
	}
	k, err := ParsePublicKey(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return k, nil
}

// ID is the key's minisign id, as minisign prints it.
func (k *PublicKey) ID() string { return strings.ToUpper(strconv.FormatUint(k.key.ID(), 16)) }

// String is the bare base64 key, as `minisign -P` takes it.
func (k *PublicKey) String() string { return k.key.String() }

// ParseSigner reads a secret key (the file keygen-signing writes, or its
// base64 line alone) and checks that it belongs to pub. Errors never echo
// key material. Password-protected minisign keys are refused: carport runs
// unattended, so the key's protection is the secret store it comes from.
func ParseSigner(text []byte, pub *PublicKey) (*Signer, error) {
	t := bytes.TrimSpace(text)
	var k minisign.PrivateKey
	if err := k.UnmarshalText(t); err != nil {
		if minisign.IsEncrypted(t) {
			return nil, errors.New("the signing key is password-protected: carport needs an unencrypted key (carport keygen-signing writes one)")
		}
		return nil, errors.New("not a minisign secret key")
	}
	p, ok := k.Public().(minisign.PublicKey)
	if !ok {
		return nil, errors.New("not a minisign secret key")
	}
	if pub == nil {
		return nil, errors.New("no public key to check the signing key against")
	}
	if !p.Equal(pub.key) {
		return nil, fmt.Errorf("the signing key (id %X) does not match the public key (id %s)", p.ID(), pub.ID())
	}
	return &Signer{key: k, pub: p}, nil
}

// Public returns the signer's public key.
func (s *Signer) Public() *PublicKey { return &PublicKey{key: s.pub} }

// bundleClaim is what the outer signature's trusted comment says.
type bundleClaim struct {
	Period, Party string
	ZipSHA256     string
}

func (c bundleClaim) comment() string {
	return "carport-bundle period:" + c.Period + " party:" + c.Party + " zip_sha256:" + c.ZipSHA256
}

func parseBundleClaim(s string) (bundleClaim, error) {
	f := strings.Fields(s)
	var c bundleClaim
	if len(f) != 4 || f[0] != "carport-bundle" {
		return c, fmt.Errorf("trusted comment %q is not a carport bundle's", clipText(s))
	}
	for _, kv := range f[1:] {
		k, v, _ := strings.Cut(kv, ":")
		switch k {
		case "period":
			c.Period = v
		case "party":
			c.Party = v
		case "zip_sha256":
			c.ZipSHA256 = v
		}
	}
	if c.Period == "" || c.Party == "" || len(c.ZipSHA256) != 64 {
		return c, fmt.Errorf("trusted comment %q is not a carport bundle's", clipText(s))
	}
	return c, nil
}

func manifestComment(period, party string) string {
	return "carport-manifest period:" + period + " party:" + party
}

// SignManifest returns the inner signature of manifest.json: deterministic
// for a key, a manifest and its period and party.
func (s *Signer) SignManifest(manifestJSON []byte, period, party string) []byte {
	r := minisign.NewReader(bytes.NewReader(manifestJSON))
	io.Copy(io.Discard, r) // a bytes.Reader does not fail
	return r.SignWithComments(s.key, manifestComment(period, party), "signature of manifest.json by the DCC, key "+s.Public().ID())
}

// signBundle signs what r has read (the ciphertext).
func (s *Signer) signBundle(r *minisign.Reader, c bundleClaim) []byte {
	return r.SignWithComments(s.key, c.comment(), "signature of "+c.Party+".zip.age by the DCC, key "+s.Public().ID())
}

// checkSignature verifies sig over what r has read and returns its
// trusted comment.
func (k *PublicKey) check(r *minisign.Reader, sig []byte, what string) (string, error) {
	var s minisign.Signature
	if err := s.UnmarshalText(sig); err != nil {
		return "", fmt.Errorf("%s: not a minisign signature", what)
	}
	if s.KeyID != k.key.ID() {
		return "", fmt.Errorf("%s: signed by key %X, not by the DCC key %s", what, s.KeyID, k.ID())
	}
	if !r.Verify(k.key, sig) {
		return "", fmt.Errorf("%s: signature does not verify: the file was altered or not signed by the DCC", what)
	}
	return s.TrustedComment, nil
}

// readSmall reads a file of at most limit bytes.
func readSmall(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s: larger than %d bytes", path, limit)
	}
	return b, nil
}

func clipText(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}

// hexSum formats a digest.
func hexSum(b []byte) string { return hex.EncodeToString(b) }
