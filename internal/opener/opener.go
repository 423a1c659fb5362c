// Package opener holds the in-browser bundle opener that `carport serve`
// serves at /opener/: the page script that verifies, decrypts and checks a
// party's bundle in the party's own browser tab (opener.js), the service
// worker that shows the decrypted site from that tab's memory (sw.js), its
// stylesheet, and the pinned third-party code they use (vendor.js, built
// from npm packages by scripts/opener-vendor.sh).
package opener

// The files are part of the binary, so they are part of the signed release:
// their sha256 sums are printed by `carport version --opener` and listed in
// the README, and the opener page names each script with its Subresource
// Integrity hash. Nothing is ever loaded from anywhere else.

import (
	"crypto/sha256"
	"crypto/sha512"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"io/fs"
	"path"
	"sort"
)

//go:embed assets/*.js assets/*.css
var assets embed.FS

// A File is one of the opener's files.
type File struct {
	// Name is the file name, served at /opener/<Name>.
	Name string
	// Body is the file's content.
	Body []byte
	// ContentType is the type it is served with.
	ContentType string
	// SHA256 is the lowercase hex sha256 of Body, as sha256sum prints it.
	SHA256 string
	// Integrity is the Subresource Integrity value of Body (sha384).
	Integrity string
}

var files = func() map[string]File {
	m := map[string]File{}
	names, err := fs.Glob(assets, "assets/*")
	if err != nil {
		panic(err) // a constant pattern
	}
	for _, n := range names {
		b, err := assets.ReadFile(n)
		if err != nil {
			panic(err) // embedded
		}
		name := path.Base(n)
		ct := "text/javascript; charset=utf-8"
		if path.Ext(name) == ".css" {
			ct = "text/css; charset=utf-8"
		}
		s256 := sha256.Sum256(b)
		s384 := sha512.Sum384(b)
		m[name] = File{Name: name, Body: b, ContentType: ct, SHA256: hex.EncodeToString(s256[:]),
			Integrity: "sha384-" + base64.StdEncoding.EncodeToString(s384[:])}
	}
	return m
}()

// Lookup returns the file called name.
func Lookup(name string) (File, bool) {
	f, ok := files[name]
	return f, ok
}

// Files returns every file, sorted by name.
func Files() []File {
	out := make([]File, 0, len(files))
	for _, f := range files {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Names of the files the opener page loads, in the order it loads them.
const (
	Stylesheet    = "opener.css"
	VendorScript  = "vendor.js"
	PageScript    = "opener.js"
	ServiceWorker = "sw.js"
)

// ViewScope is the path under which every opened bundle's service worker
// has its scope (/view/<period>/<party>/<id>/): sw.js may control it.
const ViewScope = "/view/"
