package host

// Header policies: every response carries the common security headers;
// each route adds its own Content-Security-Policy and caching. To add a
// kind of response (say, an in-browser opener that runs the host's own
// scripts), add a policy here and name it in the route table.

import (
	"io"
	"net/http"
	"time"
)

// policy is the set of headers a route's responses carry.
type policy struct {
	csp   string
	cache string
	extra map[string]string
	page  bool // a page: a signed-out GET goes to the sign-in form
}

var (
	// pagePolicy: server-rendered pages, no script at all, forms only to
	// this host, never framed.
	pagePolicy = &policy{
		csp:   "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
		cache: "no-store",
		page:  true,
	}
	// openerPolicy: the opener page (opener.go). Scripts only from this
	// host (each also pinned by Subresource Integrity in the page), fetches
	// only to this host, the view's iframe and service worker only from
	// this host, and Trusted Types: the one script URL the page may hand
	// the browser is the service worker's, through its own policy.
	openerPolicy = &policy{
		csp: "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
			"frame-src 'self'; worker-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; " +
			"require-trusted-types-for 'script'; trusted-types carport-opener",
		cache: "no-store",
		page:  true,
	}
	// openerAssetPolicy: the opener's scripts and stylesheet (public, the
	// same for everyone, revalidated by ETag). The CSP also binds the
	// service worker, which needs no network at all.
	openerAssetPolicy = &policy{
		csp:   "default-src 'none'; frame-ancestors 'none'",
		cache: "no-cache",
	}
	// downloadPolicy: files sent as attachments; nothing in them may run
	// even if a browser displays them.
	downloadPolicy = &policy{
		csp:   "default-src 'none'; sandbox; frame-ancestors 'none'",
		cache: "no-store",
	}
	// apiPolicy: JSON for scripts.
	apiPolicy = downloadPolicy
	// assetPolicy: the stylesheet (public, the same for everyone).
	assetPolicy = &policy{
		csp:   "default-src 'none'; frame-ancestors 'none'",
		cache: "public, max-age=3600",
	}
	// notFoundPolicy: the one 404.
	notFoundPolicy = &policy{
		csp:   "default-src 'none'; frame-ancestors 'none'",
		cache: "no-store",
	}
)

func (p *policy) apply(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()")
	if r.TLS != nil {
		h.Set("Strict-Transport-Security", "max-age=63072000")
	}
	h.Set("Content-Security-Policy", p.csp)
	h.Set("Cache-Control", p.cache)
	for k, v := range p.extra {
		h.Set(k, v)
	}
}

// responseWriter records the status and size for the log, and for
// downloads keeps moving the write deadline: each chunk must go out within
// chunkTimeout, so a slow but live download is not cut by the server's
// write timeout while a stalled one is. It forwards ReadFrom so a file
// still goes out by sendfile, without passing through user memory.
type responseWriter struct {
	http.ResponseWriter
	status       int
	bytes        int64
	wroteHeader  bool
	chunkTimeout time.Duration // 0: the server's write timeout applies
}

const downloadChunk = 4 << 20

func (w *responseWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *responseWriter) WriteHeader(code int) {
	if !w.wroteHeader {
		w.status, w.wroteHeader = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *responseWriter) Write(p []byte) (int, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if w.chunkTimeout > 0 {
		http.NewResponseController(w.ResponseWriter).SetWriteDeadline(time.Now().Add(w.chunkTimeout))
	}
	n, err := w.ResponseWriter.Write(p)
	w.bytes += int64(n)
	return n, err
}

// writerOnly hides ReadFrom, so io.Copy uses Write.
type writerOnly struct{ io.Writer }

func (w *responseWriter) ReadFrom(src io.Reader) (int64, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	rf, ok := w.ResponseWriter.(io.ReaderFrom)
	if !ok {
		return io.Copy(writerOnly{w}, src)
	}
	if w.chunkTimeout == 0 {
		n, err := rf.ReadFrom(src)
		w.bytes += n
		return n, err
	}
	// keep the file itself visible to the connection's ReadFrom (sendfile
	// sees through one LimitedReader, not two)
	inner, remaining := src, int64(-1)
	lr, limited := src.(*io.LimitedReader)
	if limited {
		inner, remaining = lr.R, lr.N
	}
	rc := http.NewResponseController(w.ResponseWriter)
	var total int64
	for remaining != 0 {
		n := int64(downloadChunk)
		if remaining > 0 && remaining < n {
			n = remaining
		}
		rc.SetWriteDeadline(time.Now().Add(w.chunkTimeout))
		m, err := rf.ReadFrom(&io.LimitedReader{R: inner, N: n})
		total += m
		w.bytes += m
		if remaining > 0 {
			remaining -= m
		}
		if err != nil {
			if limited {
				lr.N = remaining
			}
			return total, err
		}
		if m < n {
			break // end of the file
		}
	}
	if limited {
		lr.N = remaining
	}
	return total, nil
}
