// Command servebench load-tests the file host: it publishes one bundle of
// the given size, starts `carport serve` as a child process on loopback,
// runs n concurrent downloads of the bundle with an API token, checks every
// download's sha256, and reports throughput and the server's peak RSS
// (VmHWM sampled from /proc while it runs, and the kernel's maxrss from
// wait4 when it exits). Password sign-ins (argon2id, 19 MiB each) run at
// the same time, as they would on a release day. `make bench` runs it at 100 downloads of 200 MB;
// it fails (exit 1) when a download is wrong or the peak RSS reaches the
// limit. It is a development tool, not part of the product.
//
//	servebench [-carport bin/carport] [-n 100] [-size 200MB] [-limit 100MB]
package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintf(os.Stderr, "servebench: error: %v\n", err)
		os.Exit(1)
	}
}

// size parses 200MB, 20MiB, 1GB or a byte count.
type size int64

func (s *size) String() string { return strconv.FormatInt(int64(*s), 10) }
func (s *size) Set(v string) error {
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		m      int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"GB", 1e9}, {"MB", 1e6}, {"kB", 1e3}, {"KB", 1e3}} {
		if strings.HasSuffix(v, u.suffix) {
			v, mult = strings.TrimSuffix(v, u.suffix), u.m
			break
		}
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil || n <= 0 {
		return fmt.Errorf("size %q: want e.g. 200MB", v)
	}
	*s = size(n * mult)
	return nil
}

func run(args []string) error {
	fs := flag.NewFlagSet("servebench", flag.ContinueOnError)
	bin := fs.String("carport", "bin/carport", "the carport binary to run")
	n := fs.Int("n", 100, "concurrent downloads")
	bundle := size(200e6)
	fs.Var(&bundle, "size", "bundle size (e.g. 200MB, 20MB)")
	limit := size(100e6)
	fs.Var(&limit, "limit", "peak RSS the server must stay under")
	signins := fs.Int("signins", 20, "password sign-ins (argon2id, 19 MiB each) made while the downloads run")
	keep := fs.Bool("keep", false, "keep the work folder (bundle, database, server log)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *n <= 0 {
		return errors.New("-n must be positive")
	}
	carport, err := filepath.Abs(*bin)
	if err != nil {
		return err
	}
	if _, err := os.Stat(carport); err != nil {
		return fmt.Errorf("%s: %w (run make build first)", *bin, err)
	}
	dir, err := os.MkdirTemp("", "carport-servebench-")
	if err != nil {
		return err
	}
	if *keep {
		fmt.Printf("servebench: work folder %s\n", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	out, db, outbox := filepath.Join(dir, "out"), filepath.Join(dir, "host.db"), filepath.Join(dir, "outbox")

	fmt.Printf("servebench: writing a %.0f MB bundle …\n", float64(bundle)/1e6)
	want, err := writeBundle(filepath.Join(out, "2026-10", "BENCH.zip.age"), int64(bundle))
	if err != nil {
		return err
	}
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	base := "http://" + addr + "/"
	cli := func(args ...string) (string, error) {
		cmd := exec.Command(carport, append(args, "--db", db)...)
		var o, e bytes.Buffer
		cmd.Stdout, cmd.Stderr = &o, &e
		if err := cmd.Run(); err != nil {
			return "", fmt.Errorf("carport %s: %v\n%s", strings.Join(args, " "), err, e.String())
		}
		return strings.TrimSpace(o.String()), nil
	}
	if _, err := cli("users", "add", "--name", "Load Test", "--email", "bench@example.com", "--party", "BENCH",
		"--public-url", base, "--outbox", outbox); err != nil {
		return err
	}
	token, err := cli("users", "token", "bench@example.com", "--name", "servebench", "--days", "1")
	if err != nil {
		return err
	}
	if _, err := cli("release", "--root", out, "--period", "2026-10", "--outbox", outbox); err != nil {
		return err
	}

	logf, err := os.Create(filepath.Join(dir, "serve.log"))
	if err != nil {
		return err
	}
	defer logf.Close()
	srv := exec.Command(carport, "serve", "--root", out, "--db", db, "--addr", addr, "--outbox", outbox)
	srv.Stdout, srv.Stderr = logf, logf
	if err := srv.Start(); err != nil {
		return err
	}
	exited := make(chan error, 1)
	go func() { exited <- srv.Wait() }()
	defer func() {
		if srv.ProcessState == nil {
			srv.Process.Kill()
			<-exited
		}
	}()
	if err := waitReady(base, exited); err != nil {
		return err
	}
	// a password for the sign-ins made during the downloads
	const pw = "load test passphrase"
	link, err := cli("users", "link", "bench@example.com", "--outbox", outbox, "--print-link")
	if err != nil {
		return err
	}
	if r, err := http.PostForm(link, url.Values{"password": {pw}, "confirm": {pw}}); err != nil {
		return err
	} else if r.Body.Close(); r.StatusCode != http.StatusOK && r.StatusCode != http.StatusSeeOther {
		return fmt.Errorf("setting the password: status %d", r.StatusCode)
	}
	idle := status(srv.Process.Pid)

	// sample the server's memory while the downloads run
	var hwm, rssMax int64
	stopSampling := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			s := status(srv.Process.Pid)
			hwm, rssMax = max(hwm, s["VmHWM"]), max(rssMax, s["VmRSS"])
			select {
			case <-stopSampling:
				return
			case <-t.C:
			}
		}
	}()

	fmt.Printf("servebench: %d concurrent downloads of %s …\n", *n, base+"files/2026-10/BENCH.zip.age")
	tr := &http.Transport{MaxIdleConnsPerHost: *n, DisableCompression: true}
	client := &http.Client{Transport: tr}
	type result struct {
		d   time.Duration
		n   int64
		sum string
		err error
	}
	results := make([]result, *n)
	var wg sync.WaitGroup
	startGate := make(chan struct{})
	t0 := time.Now()
	for i := range *n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-startGate
			t := time.Now()
			req, _ := http.NewRequest("GET", base+"files/2026-10/BENCH.zip.age", nil)
			req.Header.Set("Authorization", "Bearer "+token)
			r, err := client.Do(req)
			if err != nil {
				results[i] = result{err: err}
				return
			}
			defer r.Body.Close()
			if r.StatusCode != 200 {
				results[i] = result{err: fmt.Errorf("status %d", r.StatusCode)}
				return
			}
			h := sha256.New()
			m, err := io.CopyBuffer(h, r.Body, make([]byte, 256<<10))
			results[i] = result{d: time.Since(t), n: m, sum: hex.EncodeToString(h.Sum(nil)), err: err}
		}()
	}
	close(startGate)
	// sign-ins while the downloads run, two at a time
	signedIn := make(chan int, 1)
	go func() {
		ok := 0
		var mu sync.Mutex
		var sw sync.WaitGroup
		sem := make(chan struct{}, 2)
		noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		for range *signins {
			sem <- struct{}{}
			sw.Add(1)
			go func() {
				defer func() { <-sem; sw.Done() }()
				r, err := noRedirect.PostForm(base+"signin", url.Values{"email": {"bench@example.com"}, "password": {pw}})
				if err == nil {
					r.Body.Close()
					if r.StatusCode == http.StatusSeeOther {
						mu.Lock()
						ok++
						mu.Unlock()
					}
				}
			}()
		}
		sw.Wait()
		signedIn <- ok
	}()
	wg.Wait()
	wall := time.Since(t0)
	signIns := <-signedIn
	close(stopSampling)
	<-sampled

	srv.Process.Signal(syscall.SIGTERM)
	var maxrss int64
	var cpu time.Duration
	select {
	case err := <-exited:
		if err != nil {
			return fmt.Errorf("carport serve: %v", err)
		}
		if ru, ok := srv.ProcessState.SysUsage().(*syscall.Rusage); ok {
			maxrss = ru.Maxrss * 1024 // KiB on Linux
		}
		cpu = srv.ProcessState.UserTime() + srv.ProcessState.SystemTime()
	case <-time.After(30 * time.Second):
		return errors.New("carport serve did not stop on SIGTERM")
	}

	var durs []time.Duration
	var total int64
	bad := 0
	for i, r := range results {
		switch {
		case r.err != nil:
			fmt.Printf("  download %d failed: %v\n", i, r.err)
			bad++
		case r.n != int64(bundle) || r.sum != want:
			fmt.Printf("  download %d wrong: %d bytes, sha256 %s\n", i, r.n, r.sum)
			bad++
		default:
			durs = append(durs, r.d)
		}
		total += r.n
	}
	slices.Sort(durs)
	peak := max(hwm, maxrss)
	mb := func(b int64) string { return fmt.Sprintf("%.1f MB", float64(b)/1e6) }
	fmt.Printf("servebench: %d × %s bundle, %d concurrent downloads over loopback (HTTP/1.1, API token)\n", *n, mb(int64(bundle)), *n)
	fmt.Printf("  complete with the right sha256: %d of %d (sha256 %s…)\n", len(durs), *n, want[:16])
	fmt.Printf("  wall time %.2f s, %s moved: aggregate throughput %.0f MB/s (%.2f Gbit/s), clients hashing every byte\n",
		wall.Seconds(), mb(total), float64(total)/1e6/wall.Seconds(), float64(total)*8/1e9/wall.Seconds())
	if len(durs) > 0 {
		fmt.Printf("  per download: fastest %.2f s, median %.2f s, slowest %.2f s\n",
			durs[0].Seconds(), durs[len(durs)/2].Seconds(), durs[len(durs)-1].Seconds())
	}
	fmt.Printf("  sign-ins with a password during the downloads: %d of %d succeeded\n", signIns, *signins)
	fmt.Printf("  server: RSS idle %s; peak RSS %s (VmHWM sampled %s, wait4 maxrss %s); CPU %.2f s\n",
		mb(idle["VmRSS"]), mb(peak), mb(hwm), mb(maxrss), cpu.Seconds())
	ok := bad == 0 && peak < int64(limit) && signIns == *signins
	verdict := "met"
	if peak >= int64(limit) {
		verdict = "NOT met"
	}
	fmt.Printf("  peak RSS under %s: %s\n", mb(int64(limit)), verdict)
	if !ok {
		return fmt.Errorf("%d downloads failed or were wrong, %d of %d sign-ins failed; peak RSS %s (limit %s)",
			bad, *signins-signIns, *signins, mb(peak), mb(int64(limit)))
	}
	return nil
}

// writeBundle writes n pseudo-random bytes (a bundle is ciphertext: it does
// not compress) and returns their sha256.
func writeBundle(path string, n int64) (string, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return "", err
	}
	f, err := os.Create(path)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	w := bufio.NewWriterSize(io.MultiWriter(f, h), 1<<20)
	rng := rand.NewChaCha8([32]byte{1})
	buf := make([]byte, 1<<20)
	for left := n; left > 0; {
		k := min(int64(len(buf)), left)
		rng.Read(buf[:k])
		if _, err := w.Write(buf[:k]); err != nil {
			f.Close()
			return "", err
		}
		left -= k
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return "", err
	}
	if err := f.Close(); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

func waitReady(base string, exited chan error) error {
	for end := time.Now().Add(30 * time.Second); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		select {
		case err := <-exited:
			exited <- err
			return fmt.Errorf("carport serve exited: %v", err)
		default:
		}
		if r, err := http.Get(base + "signin"); err == nil {
			r.Body.Close()
			if r.StatusCode == 200 {
				return nil
			}
		}
	}
	return errors.New("carport serve did not answer within 30 s")
}

// status reads the memory lines of /proc/PID/status, in bytes.
func status(pid int) map[string]int64 {
	m := map[string]int64{}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return m
	}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok || !strings.HasPrefix(k, "Vm") {
			continue
		}
		f := strings.Fields(v)
		if len(f) == 2 && f[1] == "kB" {
			if x, err := strconv.ParseInt(f[0], 10, 64); err == nil {
				m[k] = x * 1024
			}
		}
	}
	return m
}
