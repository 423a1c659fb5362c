package host

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// FuzzDownloadPath sends any request path a signed-in party user could
// type through the whole handler: it never panics, never serves anything
// but the user's own released bundle and signature at their exact paths,
// and never returns a byte of the secret kept outside OUT (which symlinks
// inside OUT point at). Run: go test -run '^$' -fuzz FuzzDownloadPath -fuzztime 30s ./internal/host/
func FuzzDownloadPath(f *testing.F) {
	for _, s := range []string{
		"/files/2026-10/NORE.zip.age", "/files/2026-10/NORE.zip.age.minisig", "/files/2026-10/SOUT.zip.age",
		"/files/2026-09/NORE.zip.age", "/files/2026-08/NORE.zip.age", "/files/2026-10/ESCP.zip.age",
		"/files/2026-10/../2026-10/NORE.zip.age", "/files/%2e%2e/secret.txt", "/files/2026-10%2fNORE.zip.age",
		"/files//etc/passwd", "//etc/passwd", "/files/2026-10/./NORE.zip.age", "/files/2026-10/NORE.zip.age/",
		"/files/2026-10/NORE%2ezip%2eage", "/files/2026-10\\NORE.zip.age", "/files/2026-10/manifest.json",
		"/2026-10.run.json", "/admin/runs/2026-10.run.json", "/files/2026-10/NORE.zip.age?x=1", "/files/2026-10/NORE.zip.age#f",
		"/files/../../secret.txt", "/files/2026-10/..%2f..%2fsecret.txt", "/files/2026-10/%00NORE.zip.age", "*",
	} {
		f.Add(s)
	}
	h := newTestHost(f)
	fuzzSetup(h)
	own := h.files["2026-10/NORE.zip.age"]
	sig := h.files["2026-10/NORE.zip.age.minisig"]
	cookie := h.fuzzCookie
	f.Fuzz(func(t *testing.T, path string) {
		u, err := url.ParseRequestURI(path)
		if err != nil || strings.ContainsAny(path, " \t\r\n") {
			return // the server refuses such a request line before any handler
		}
		req := &http.Request{Method: "GET", URL: u, RequestURI: path, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
			Header: http.Header{}, Host: "127.0.0.1", RemoteAddr: "127.0.0.1:1234"}
		req.AddCookie(cookie)
		rec := httptest.NewRecorder()
		h.srv.ServeHTTP(rec, req.WithContext(t.Context()))
		body := rec.Body.Bytes()
		if bytes.Contains(body, []byte(secret)) {
			t.Fatalf("GET %q served the secret from outside OUT", path)
		}
		if rec.Code == http.StatusOK || rec.Code == http.StatusPartialContent {
			p := u.EscapedPath() // a query string may follow
			switch {
			case p == "/files/2026-10/NORE.zip.age" && bytes.Equal(body, own):
			case p == "/files/2026-10/NORE.zip.age.minisig" && bytes.Equal(body, sig):
			case strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") && !strings.HasPrefix(p, "/files/"):
				// a page (the bundle list, the account page …)
			case p == "/assets/host.css":
			default:
				t.Fatalf("GET %q: %d with %d bytes of %s", path, rec.Code, len(body), rec.Header().Get("Content-Type"))
			}
		}
	})
}
