package host

// Downloads: the path is matched against the one shape a bundle or its
// signature has, the party must be the user's own and the period released
// to it — all before any file is touched — and only then is the file
// opened through the os.Root of OUT. Every refusal is the same 404.

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/dcc/carport/internal/contract"
	"github.com/dcc/carport/internal/published"
)

// chunkTimeout is how long one 4 MiB chunk of a download may take (a floor
// of about 70 kB/s); the page write timeout does not apply to downloads.
const chunkTimeout = time.Minute

// splitFile splits "<party>.zip.age" or "<party>.zip.age.minisig".
func splitFile(file string) (party string, sig bool, ok bool) {
	if p, found := strings.CutSuffix(file, contract.SignatureExt); found {
		return p, true, contract.ValidPartyID(p)
	}
	if p, found := strings.CutSuffix(file, contract.BundleExt); found {
		return p, false, contract.ValidPartyID(p)
	}
	return "", false, false
}

func (s *Server) download(w http.ResponseWriter, r *http.Request, rq *request) {
	period, file := r.PathValue("period"), r.PathValue("file")
	party, sig, ok := splitFile(file)
	if !ok || !published.ValidPeriod(period) || party != rq.user.Party {
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
	f, fi, err := s.o.Out.OpenBundle(period, party, sig)
	if err != nil {
		if !errors.Is(err, published.ErrNotFound) {
			s.serverError(w, r, err)
			return
		}
		notFound(w)
		return
	}
	defer f.Close()
	name := party + "-" + period + contract.BundleExt
	ctype := "application/octet-stream"
	if sig {
		name += ".minisig"
		ctype = "text/plain; charset=utf-8"
	}
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	// a strong validator from the file's identity (not its content: no
	// hashing on the download path), so If-None-Match and If-Range work
	id := sha256.Sum256([]byte(name + "\x00" + fi.ModTime().UTC().Format(time.RFC3339Nano) + "\x00" + published.Identity(fi)))
	h.Set("ETag", `"`+hex.EncodeToString(id[:12])+`"`)
	// a download is counted once when it starts, not again per resumed range
	if r.Method == http.MethodGet && (r.Header.Get("Range") == "" || strings.HasPrefix(r.Header.Get("Range"), "bytes=0-")) {
		action := "download"
		if sig {
			action = "download_signature"
		}
		if err := s.o.DB.Log(r.Context(), rq.actor, action, rq.user.ID, party, period, ""); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	rq.rw.chunkTimeout = chunkTimeout
	// the request was read; the read deadline must not end a long download
	http.NewResponseController(w).SetReadDeadline(time.Time{})
	http.ServeContent(w, r, "", fi.ModTime(), f)
}

// apiBundles lists, as JSON, the released bundles of the token's or
// session's party, for scripts that download every month.
func (s *Server) apiBundles(w http.ResponseWriter, r *http.Request, rq *request) {
	bs, rels, err := s.partyBundles(r.Context(), rq.user.Party)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	type item struct {
		Period    string    `json:"period"`
		Party     string    `json:"party"`
		File      string    `json:"file"`
		URL       string    `json:"url"`
		Signature string    `json:"signature_url,omitempty"`
		Size      int64     `json:"size"`
		SHA256    string    `json:"sha256"`
		Built     time.Time `json:"built"`
		Released  time.Time `json:"released"`
	}
	items := []item{}
	for _, b := range bs {
		sum, err := s.o.Out.Sum(r.Context(), b)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		it := item{Period: b.Period, Party: b.Party, File: downloadName(b),
			URL:  s.o.PublicURL.JoinPath("files", contract.BundlePath(b.Period, b.Party)).String(),
			Size: b.Size, SHA256: sum, Built: b.ModTime.UTC(), Released: rels[b.Period].At}
		if b.Signature >= 0 {
			it.Signature = s.o.PublicURL.JoinPath("files", contract.SignaturePath(b.Period, b.Party)).String()
		}
		items = append(items, it)
	}
	out, err := json.MarshalIndent(struct {
		Bundles []item `json:"bundles"`
	}{items}, "", "  ")
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(append(out, '\n'))
}
