package cli

// The DCC signing key: its public half is committed (keys/dcc-signing.pub)
// and found in the --keys folder; its secret half comes from a file
// (--signing-key) or the environment (CARPORT_SIGNING_KEY, as CI secret
// stores provide it), never from the repository. A build refuses a secret
// key that does not match the public key parties check against.

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/dcc/carport/internal/atomicfile"
	"github.com/dcc/carport/internal/bundle"
	"github.com/dcc/carport/internal/contract"
	"github.com/dcc/carport/internal/extract"
)

// SigningPubName is the DCC public signing key in a keys folder.
const SigningPubName = "dcc-signing.pub"

// signingKeyEnv holds the DCC secret signing key's text when no file is given.
const signingKeyEnv = "CARPORT_SIGNING_KEY"

func loadSigner(keysDir, keyFile string) (*bundle.Signer, error) {
	pubPath := filepath.Join(keysDir, SigningPubName)
	pub, err := bundle.ReadPublicKey(pubPath)
	if err != nil {
		return nil, &badInput{err, "the DCC public signing key belongs in the keys folder as " + SigningPubName + " ('carport keygen-signing' makes a pair)"}
	}
	var text []byte
	var from string
	switch {
	case keyFile != "":
		if text, err = os.ReadFile(keyFile); err != nil {
			return nil, &badInput{fmt.Errorf("reading signing key: %w", err), ""}
		}
		from = keyFile
	case os.Getenv(signingKeyEnv) != "":
		text, from = []byte(os.Getenv(signingKeyEnv)), "$"+signingKeyEnv
	default:
		return nil, usagef("give the DCC secret signing key with --signing-key FILE or in $"+signingKeyEnv,
			"no signing key: every bundle is signed by the DCC")
	}
	s, err := bundle.ParseSigner(text, pub)
	if err != nil {
		return nil, &badInput{fmt.Errorf("%s: %w", from, err), "the secret key must be the pair of " + pubPath}
	}
	return s, nil
}

func (e *env) keygenSigning(args []string) error {
	fs := e.flags("keygen-signing", "--pub FILE --secret FILE [--force]")
	pub := fs.String("pub", "", "where the public key goes (commit it as keys/"+SigningPubName+")")
	secret := fs.String("secret", "", "where the secret key goes, mode 0600 (keep it out of the repository: a secret store)")
	force := fs.Bool("force", false, "replace existing files")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := required(fs, "pub", "secret"); err != nil {
		return err
	}
	if filepath.Base(filepath.Dir(mustAbs(*secret))) == "keys" {
		return usagef("keys/ is committed: write the secret key outside the repository", "keygen-signing: refusing to write a secret key into %s", filepath.Dir(*secret))
	}
	pubText, secText, err := bundle.GenerateSigningKey()
	if err != nil {
		return err
	}
	// each file whole or not at all; without --force an existing one is
	// never replaced
	write := atomicfile.WriteNew
	if *force {
		write = atomicfile.WriteFile
	}
	for _, w := range []struct {
		path string
		data []byte
		mode os.FileMode
	}{{*secret, secText, 0o600}, {*pub, pubText, 0o644}} {
		if err := os.MkdirAll(filepath.Dir(w.path), w.mode|0o100); err != nil {
			return err
		}
		err := write(w.path, w.data, w.mode)
		if errors.Is(err, os.ErrExist) {
			return usagef("give --force to replace it", "keygen-signing: %s exists", w.path)
		}
		if err != nil {
			return err
		}
	}
	k, _ := bundle.ParsePublicKey(pubText)
	e.say("signing key %s: public key in %s, secret key in %s (mode 0600)", k.ID(), *pub, *secret)
	fmt.Fprintln(e.stdout, k.String())
	return nil
}

func mustAbs(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

// keys dispatches `carport keys SUBCOMMAND`.
func (e *env) keys(args []string) error {
	if len(args) == 0 || args[0] != "check" {
		return usagef("usage: carport keys check --extracts DIR --keys DIR", "keys: give a subcommand: check")
	}
	return e.keysCheck(args[1:])
}

// keysCheck reports, for every party of parties.csv, whether its
// recipients file is present and valid and how many recipients of each
// kind it has, then the key files that match no party.
func (e *env) keysCheck(args []string) error {
	fs := e.flags("keys check", "--extracts DIR --keys DIR")
	extracts := fs.String("extracts", "", "folder of the period's extracts (parties.csv is read)")
	keysDir := fs.String("keys", "keys", "folder of <party>.txt recipients files and "+SigningPubName)
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := required(fs, "extracts"); err != nil {
		return err
	}
	parties, _, err := extract.ReadParties(*extracts)
	if err != nil {
		return err
	}
	if _, err := os.Stat(*keysDir); err != nil {
		return &badInput{fmt.Errorf("keys check: %w", err), ""}
	}
	bad := 0
	known := map[string]bool{}
	fmt.Fprintf(e.stdout, "%-10s %-6s %-7s %-7s %s\n", "party", "keys", "x25519", "hybrid", "status")
	for _, p := range parties.All() {
		file := p.ID + ".txt"
		known[file] = true
		status := "ok"
		n, x, h := "-", "-", "-"
		if err := contract.CheckPartyID(p.ID); err != nil {
			status, bad = "invalid id: "+err.Error(), bad+1
		} else if r, err := bundle.ReadRecipients(filepath.Join(*keysDir, file)); errors.Is(err, os.ErrNotExist) {
			status, bad = "missing: "+filepath.Join(*keysDir, file), bad+1
		} else if err != nil {
			status, bad = "invalid: "+err.Error(), bad+1
		} else {
			n, x, h = fmt.Sprint(r.Len()), fmt.Sprint(r.X25519), fmt.Sprint(r.Hybrid)
		}
		fmt.Fprintf(e.stdout, "%-10s %-6s %-7s %-7s %s\n", p.ID, n, x, h, status)
	}
	if k, err := bundle.ReadPublicKey(filepath.Join(*keysDir, SigningPubName)); err != nil {
		fmt.Fprintf(e.stdout, "%s: %v\n", SigningPubName, err)
		bad++
	} else {
		fmt.Fprintf(e.stdout, "%s: ok, key id %s\n", SigningPubName, k.ID())
	}
	ents, err := os.ReadDir(*keysDir)
	if err != nil {
		return err
	}
	var orphans []string
	for _, en := range ents {
		name := en.Name()
		if known[name] || name == "README.md" || strings.HasPrefix(strings.ToLower(name), "dcc-") || en.IsDir() {
			continue
		}
		orphans = append(orphans, name)
	}
	sort.Strings(orphans)
	for _, o := range orphans {
		fmt.Fprintf(e.stdout, "%s: matches no party in parties.csv\n", filepath.Join(*keysDir, o))
	}
	e.say("keys check: %d parties, %d problems, %d key files matching no party", len(parties.All()), bad, len(orphans))
	if bad > 0 {
		return &badInput{fmt.Errorf("keys check: %d problems in %s", bad, *keysDir), "every party needs keys/<party>.txt with its public age recipients"}
	}
	return nil
}
