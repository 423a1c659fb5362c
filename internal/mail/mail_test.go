package mail

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestOutboxRoundTrip(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "outbox")
	ob := &Outbox{Dir: dir, From: "carport@example.org"}
	msgs := []Message{
		{To: "ada@example.com", ToName: "Ada Lovelace", Subject: "Plain", Body: "Hello Ada,\n\nhttps://host.example/password/l1.abc_-XYZ\n.\nBye"},
		{To: "zoë@example.com", ToName: "Zoë Ünïcode", Subject: "Ünïcode subject", Body: "Hello Zoë, " + strings.Repeat("x", 200) + "\nhttps://host.example/password/l2.def"},
	}
	for _, m := range msgs {
		if err := ob.Send(context.Background(), m); err != nil {
			t.Fatal(err)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) != 2 {
		t.Fatalf("outbox holds %v (%v), want 2 files", entries, err)
	}
	if fi, _ := os.Stat(dir); fi.Mode().Perm() != 0o700 {
		t.Errorf("outbox mode %v, want 0700", fi.Mode().Perm())
	}
	got := map[string]Message{}
	for _, e := range entries {
		if fi, _ := e.Info(); fi.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v, want 0600", e.Name(), fi.Mode().Perm())
		}
		m, err := ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		got[m.To] = m
	}
	for _, want := range msgs {
		g := got[want.To]
		if g.Subject != want.Subject || g.ToName != want.ToName || strings.TrimRight(g.Body, "\n") != want.Body {
			t.Errorf("read back %+v, want %+v", g, want)
		}
	}
	// the ASCII message keeps its link on one line in the raw file
	raw, _ := os.ReadFile(filepath.Join(dir, entries[0].Name()))
	raw2, _ := os.ReadFile(filepath.Join(dir, entries[1].Name()))
	if !strings.Contains(string(raw)+string(raw2), "https://host.example/password/l1.abc_-XYZ\r\n") {
		t.Error("the plain message's link is not whole in the .eml file")
	}
	n, err := ob.Purge("ADA@example.com")
	if err != nil || n != 1 {
		t.Fatalf("purge: %d, %v; want 1", n, err)
	}
	if left, _ := os.ReadDir(dir); len(left) != 1 {
		t.Errorf("after purge %d files, want 1", len(left))
	}
}

func TestHeaderInjectionRefused(t *testing.T) {
	for _, m := range []Message{
		{To: "a@example.com\r\nBcc: victim@example.com", Subject: "x"},
		{To: "a@example.com", Subject: "x\r\nBcc: victim@example.com"},
		{To: "a@example.com", ToName: "A\nBcc: v@example.com", Subject: "x"},
		{To: "Name <a@example.com>", Subject: "x"},
		{To: "not an address", Subject: "x"},
	} {
		if _, err := Compose("carport@example.org", m, time.Now()); err == nil {
			t.Errorf("Compose accepted %+v", m)
		}
	}
}
