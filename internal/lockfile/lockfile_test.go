package lockfile

import (
	"bufio"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestTryLockIsExclusiveAndReleased(t *testing.T) {
	p := filepath.Join(t.TempDir(), "lock")
	a, err := TryLock(p, true)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.WriteOwner(); err != nil {
		t.Fatal(err)
	}
	if got, want := Owner(p), "pid "; !strings.HasPrefix(got, want) {
		t.Errorf("Owner = %q, want prefix %q", got, want)
	}
	// a second open file in the same process is refused too
	if _, err := TryLock(p, false); !errors.Is(err, ErrBusy) {
		t.Fatalf("second TryLock: %v, want ErrBusy", err)
	}
	if err := a.Unlock(); err != nil {
		t.Fatal(err)
	}
	b, err := TryLock(p, false)
	if err != nil {
		t.Fatalf("after Unlock: %v", err)
	}
	b.Unlock()
}

func TestTryLockMissingFile(t *testing.T) {
	_, err := TryLock(filepath.Join(t.TempDir(), "none"), false)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("got %v, want not exist", err)
	}
}

// TestMain lets the test binary be the child that holds a lock.
func TestMain(m *testing.M) {
	if p := os.Getenv("LOCKFILE_TEST_HOLD"); p != "" {
		l, err := TryLock(p, false)
		if err != nil {
			os.Stdout.WriteString("error " + err.Error() + "\n")
			os.Exit(1)
		}
		defer l.Unlock()
		os.Stdout.WriteString("locked\n")
		time.Sleep(time.Hour) // until killed
	}
	os.Exit(m.Run())
}

// TestLockDiesWithItsProcess holds the lock in a child process, kills it
// with SIGKILL and takes the lock: no cleanup code ran, the kernel freed it.
func TestLockDiesWithItsProcess(t *testing.T) {
	p := filepath.Join(t.TempDir(), "lock")
	if err := os.WriteFile(p, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "LOCKFILE_TEST_HOLD="+p)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || line != "locked\n" {
		cmd.Process.Kill()
		t.Fatalf("child: %q %v", line, err)
	}
	if _, err := TryLock(p, false); !errors.Is(err, ErrBusy) {
		t.Fatalf("while the child lives: %v, want ErrBusy", err)
	}
	cmd.Process.Kill()
	cmd.Wait()
	l, err := TryLock(p, false)
	if err != nil {
		t.Fatalf("after the owner died: %v", err)
	}
	l.Unlock()
}
