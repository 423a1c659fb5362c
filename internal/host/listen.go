package host

// Listening: TLS 1.2 at least; plain HTTP only on a loopback address
// unless the operator says a TLS proxy is in front (InsecureHTTP).
// Timeouts bound slow clients on every request; a download moves its own
// write deadline chunk by chunk instead (responseWriter). On shutdown the
// listener closes at once and running downloads are given ShutdownTimeout
// to finish.

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"time"
)

// memoryLimit is the soft limit of the Go heap while serving (GOMEMLIMIT
// overrides it): downloads go by sendfile and hold no file data, so the
// live heap is a few MB plus one 19 MiB password hash at a time.
const memoryLimit = 40 << 20

// ListenOptions configure Serve.
type ListenOptions struct {
	Addr            string // host:port
	TLSCert, TLSKey string // PEM files; both or neither
	InsecureHTTP    bool   // allow plain HTTP on a non-loopback address
	ShutdownTimeout time.Duration
	// Ready is called with the base URL once the listener is open.
	Ready func(url string)
}

// CheckListen refuses plain HTTP on an address that is not loopback,
// unless insecure is set.
func CheckListen(addr string, tlsOn, insecure bool) error {
	if tlsOn || insecure {
		return nil
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("address %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("plain HTTP on %s would send passwords and cookies in the clear", addr)
}

// Serve runs the host on lo.Addr until ctx ends, then shuts down
// gracefully: no new connections, running requests (downloads) finish
// within lo.ShutdownTimeout.
func (s *Server) Serve(ctx context.Context, lo ListenOptions) error {
	tlsOn := lo.TLSCert != "" || lo.TLSKey != ""
	if err := CheckListen(lo.Addr, tlsOn, lo.InsecureHTTP); err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	if tlsOn {
		if lo.TLSCert == "" || lo.TLSKey == "" {
			return errors.New("give both --tls-cert and --tls-key")
		}
		cert, err := tls.LoadX509KeyPair(lo.TLSCert, lo.TLSKey)
		if err != nil {
			return fmt.Errorf("TLS certificate: %w", err)
		}
		srv.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}
	}
	ln, err := net.Listen("tcp", lo.Addr)
	if err != nil {
		return err
	}
	scheme := "http"
	if tlsOn {
		scheme = "https"
		ln = tls.NewListener(ln, srv.TLSConfig)
	}
	// tls.NewListener does not negotiate HTTP/2; the host serves
	// HTTP/1.1, which is all a download or a form needs
	// The binary links Hugo and more for its other commands; their package
	// initialisation leaves garbage the host never needs: return it to the
	// system before serving, and keep the heap near its small live size.
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
	debug.FreeOSMemory()
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	go s.pruneLoop(ctx)
	if lo.Ready != nil {
		lo.Ready(scheme + "://" + ln.Addr().String() + "/")
	}
	s.log.Info("listening", "addr", ln.Addr().String(), "tls", tlsOn)
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	timeout := lo.ShutdownTimeout
	if timeout <= 0 {
		timeout = 5 * time.Minute
	}
	s.log.Info("shutting down: finishing running requests", "timeout", timeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	err = srv.Shutdown(sctx)
	s.Wait()
	if errors.Is(err, context.DeadlineExceeded) {
		srv.Close()
		return fmt.Errorf("shutdown: requests still running after %s were cut", timeout)
	}
	if err != nil {
		return err
	}
	if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	s.log.Info("stopped")
	return nil
}

// pruneLoop removes expired sessions, links and tokens every hour.
func (s *Server) pruneLoop(ctx context.Context) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if err := s.o.DB.PruneExpired(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("pruning expired sessions", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
