package host

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dcc/carport/internal/published"
)

// selfSigned writes a certificate for 127.0.0.1 and its key.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	must(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "carport test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	must(t, err)
	kb, err := x509.MarshalECPrivateKey(key)
	must(t, err)
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	must(t, os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644))
	must(t, os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600))
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// TestTLS: TLS 1.2 at least, HSTS, and a Secure __Host- session cookie.
func TestTLS(t *testing.T) {
	h := newTestHost(t) // for its database, OUT and users
	h.user("Nora North", "nora@example.com", partyA)
	certFile, keyFile, pool := selfSigned(t, h.dir)
	o, err := published.Open(h.out, h.db)
	must(t, err)
	defer o.Close()
	pub, _ := url.Parse("https://127.0.0.1/")
	srv, err := New(Options{Out: o, DB: h.db, Mail: h.outbox, PublicURL: pub, SecureCookies: true, Log: slog.New(slog.DiscardHandler)})
	must(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	ready, done := make(chan string, 1), make(chan error, 1)
	go func() {
		done <- srv.Serve(ctx, ListenOptions{Addr: "127.0.0.1:0", TLSCert: certFile, TLSKey: keyFile, Ready: func(u string) { ready <- u }})
	}()
	var base string
	select {
	case base = <-ready:
	case err := <-done:
		t.Fatal(err)
	}
	defer func() { cancel(); <-done }()
	if !strings.HasPrefix(base, "https://") {
		t.Fatalf("base %s", base)
	}
	host := strings.TrimSuffix(strings.TrimPrefix(base, "https://"), "/")
	for _, v := range []uint16{tls.VersionTLS10, tls.VersionTLS11} {
		c, err := tls.Dial("tcp", host, &tls.Config{RootCAs: pool, MinVersion: v, MaxVersion: v})
		if err == nil {
			c.Close()
			t.Errorf("a TLS %x handshake succeeded", v)
		}
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	r, err := client.PostForm(base+"signin", url.Values{"email": {"nora@example.com"}, "password": {password}})
	must(t, err)
	r.Body.Close()
	if r.StatusCode != http.StatusSeeOther || r.TLS == nil || r.TLS.Version < tls.VersionTLS12 {
		t.Fatalf("sign in over TLS: %d %+v", r.StatusCode, r.TLS)
	}
	ck := r.Header.Get("Set-Cookie")
	for _, want := range []string{"__Host-carport_session=", "Secure", "HttpOnly", "SameSite=Strict", "Path=/"} {
		if !strings.Contains(ck, want) {
			t.Errorf("cookie %q lacks %s", ck, want)
		}
	}
	if hsts := r.Header.Get("Strict-Transport-Security"); !strings.HasPrefix(hsts, "max-age=") {
		t.Errorf("no HSTS over TLS: %q", hsts)
	}
}

func TestPlainHTTPOnlyOnLoopback(t *testing.T) {
	for addr, ok := range map[string]bool{"127.0.0.1:8080": true, "[::1]:8080": true, "localhost:8080": true,
		"0.0.0.0:8080": false, ":8080": false, "192.0.2.1:8080": false, "[::]:8080": false} {
		if err := CheckListen(addr, false, false); (err == nil) != ok {
			t.Errorf("CheckListen(%q) = %v", addr, err)
		}
		if err := CheckListen(addr, true, false); err != nil {
			t.Errorf("CheckListen(%q) with TLS = %v", addr, err)
		}
	}
}
