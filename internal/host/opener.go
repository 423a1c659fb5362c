package host

// The in-browser opener: a page for a party user's released bundle that
// verifies, decrypts and shows it inside the user's own browser tab (the
// scripts are in internal/opener). The host's part is small: the page,
// which names the bundle, its signature and the DCC public key to check it
// against, and the opener's static files. The host never sees the
// identity file or any plaintext; the page and the files are what a
// compromised host could change, which is why the README says when to
// prefer `carport open`.

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/dcc/carport/internal/contract"
	"github.com/dcc/carport/internal/opener"
	"github.com/dcc/carport/internal/published"
)

// openData is what the opener page shows and hands its script.
type openData struct {
	Month, Period, Party string
	Bundle, Signature    string // URLs of the ciphertext and its signature
	File, Size           string
	Key, KeyID           string
	Stylesheet           opener.File
	Scripts              []opener.File
}

// openPage serves the opener for one of the user's released bundles; any
// other period or party, or a bundle not (or no longer) published, is the
// usual 404.
func (s *Server) openPage(w http.ResponseWriter, r *http.Request, rq *request) {
	period, party := r.PathValue("period"), r.PathValue("party")
	if s.o.SigningKey == "" || !published.ValidPeriod(period) || party != rq.user.Party {
		notFound(w)
		return
	}
	released, err := s.o.DB.IsReleased(r.Context(), period, party)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if !released {
		notFound(w)
		return
	}
	b, err := s.o.Out.Bundle(period, party)
	if err != nil {
		notFound(w)
		return
	}
	css, _ := opener.Lookup(opener.Stylesheet)
	vendor, _ := opener.Lookup(opener.VendorScript)
	script, _ := opener.Lookup(opener.PageScript)
	d := openData{Month: monthName(period), Period: period, Party: party,
		Bundle:    "/files/" + contract.BundlePath(period, party),
		Signature: "/files/" + contract.SignaturePath(period, party),
		File:      downloadName(b), Size: shortSize(b.Size),
		Key: s.o.SigningKey, KeyID: s.keyID,
		Stylesheet: css, Scripts: []opener.File{vendor, script}}
	s.render(w, r, rq, http.StatusOK, "open", page{Title: "View in browser · " + monthName(period), Nav: "bundles", Data: d})
}

// minisignKeyID checks a bare base64 minisign public key ("Ed", the key
// id in 8 little-endian bytes, the Ed25519 key) and returns its id as
// minisign prints it.
func minisignKeyID(key string) (string, error) {
	raw, err := base64.StdEncoding.DecodeString(key)
	if err != nil || len(raw) != 42 || raw[0] != 'E' || raw[1] != 'd' {
		return "", errors.New("host: the signing key is not a minisign public key")
	}
	return strings.ToUpper(strconv.FormatUint(binary.LittleEndian.Uint64(raw[2:10]), 16)), nil
}

// openerAsset serves one of the opener's files. The service worker may
// control the view scope, which lies outside its own folder.
func (s *Server) openerAsset(w http.ResponseWriter, r *http.Request, _ *request) {
	f, ok := opener.Lookup(r.PathValue("file"))
	if !ok {
		notFound(w)
		return
	}
	h := w.Header()
	h.Set("Content-Type", f.ContentType)
	h.Set("ETag", `"`+f.SHA256[:32]+`"`)
	if f.Name == opener.ServiceWorker {
		h.Set("Service-Worker-Allowed", opener.ViewScope)
	}
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(f.Body))
}
