// Package mail sends the file host's notices — registration, set-password
// and reset links, release notices — through an SMTP server when one is
// configured, otherwise into an outbox folder of .eml files.
package mail

// Messages are plain text (UTF-8, quoted-printable). An address or subject
// holding a line break is refused, so nothing a visitor types can add a
// header. Outbox files hold one-time links: the folder is 0700 and each
// file 0600, written atomically.

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/dcc/carport/internal/atomicfile"
)

// Message is one notice to one person.
type Message struct {
	To      string // address only
	ToName  string // optional display name
	Subject string
	Body    string // plain text
}

// Sender delivers messages.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// Address checks that s is one bare email address (no display name, no
// line break, at most 254 characters) and returns it trimmed.
func Address(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", errors.New("no email address")
	}
	if len(s) > 254 || strings.ContainsAny(s, "\r\n<>\"") {
		return "", fmt.Errorf("%q is not an email address", s)
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" || !strings.Contains(s, "@") {
		return "", fmt.Errorf("%q is not an email address", s)
	}
	return s, nil
}

// Compose renders m as an RFC 5322 message from the address from.
func Compose(from string, m Message, now time.Time) ([]byte, error) {
	to, err := Address(m.To)
	if err != nil {
		return nil, err
	}
	if _, err := Address(from); err != nil {
		return nil, fmt.Errorf("sender: %w", err)
	}
	if strings.ContainsAny(m.Subject+m.ToName, "\r\n") {
		return nil, errors.New("line break in a header")
	}
	id := make([]byte, 12)
	if _, err := rand.Read(id); err != nil {
		return nil, err
	}
	domain := from[strings.LastIndexByte(from, '@')+1:]
	var b bytes.Buffer
	hdr := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	hdr("From", from)
	hdr("To", (&mail.Address{Name: m.ToName, Address: to}).String())
	hdr("Subject", mime.QEncoding.Encode("utf-8", m.Subject))
	hdr("Date", now.Format(time.RFC1123Z))
	hdr("Message-ID", "<"+hex.EncodeToString(id)+"@"+domain+">")
	hdr("Auto-Submitted", "auto-generated")
	hdr("MIME-Version", "1.0")
	hdr("Content-Type", "text/plain; charset=utf-8")
	body := strings.ReplaceAll(strings.ReplaceAll(m.Body, "\r\n", "\n"), "\n", "\r\n")
	if plainASCII(body) {
		// links stay whole for a person reading the .eml file
		hdr("Content-Transfer-Encoding", "7bit")
		b.WriteString("\r\n")
		b.WriteString(body) // net/smtp dot-stuffs on the wire
		b.WriteString("\r\n")
		return b.Bytes(), nil
	}
	hdr("Content-Transfer-Encoding", "quoted-printable")
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	if _, err := qp.Write([]byte(body)); err != nil {
		return nil, err
	}
	if err := qp.Close(); err != nil {
		return nil, err
	}
	b.WriteString("\r\n")
	return b.Bytes(), nil
}

// plainASCII reports whether body can go as 7bit: ASCII, lines of at most
// 998 bytes.
func plainASCII(body string) bool {
	line := 0
	for i := 0; i < len(body); i++ {
		c := body[i]
		if c >= 0x80 || c == 0 {
			return false
		}
		if c == '\n' {
			line = 0
			continue
		}
		if line++; line > 998 {
			return false
		}
	}
	return true
}

// Outbox writes each message as a .eml file into Dir: the default when no
// SMTP server is configured, and what the tests read.
type Outbox struct {
	Dir  string
	From string
	Now  func() time.Time // nil: time.Now
}

// Send writes m into the outbox.
func (o *Outbox) Send(ctx context.Context, m Message) error {
	now := time.Now()
	if o.Now != nil {
		now = o.Now()
	}
	raw, err := Compose(o.From, m, now)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(o.Dir, 0o700); err != nil {
		return err
	}
	suffix := make([]byte, 4)
	if _, err := rand.Read(suffix); err != nil {
		return err
	}
	name := now.UTC().Format("20060102T150405.000000000Z") + "-" + hex.EncodeToString(suffix) + ".eml"
	return atomicfile.WriteFile(filepath.Join(o.Dir, name), raw, 0o600)
}

// Purge removes every message of the outbox addressed to addr (any case)
// and returns how many it removed: a deleted user's mail does not outlive
// their account.
func (o *Outbox) Purge(addr string) (int, error) {
	entries, err := os.ReadDir(o.Dir)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	n := 0
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".eml") || !e.Type().IsRegular() {
			continue
		}
		p := filepath.Join(o.Dir, e.Name())
		m, err := ReadFile(p)
		if err != nil {
			continue
		}
		if strings.EqualFold(m.To, addr) {
			if err := os.Remove(p); err != nil {
				return n, err
			}
			n++
		}
	}
	return n, nil
}

// ReadFile reads an outbox message back: its recipient, subject and
// decoded body.
func ReadFile(path string) (Message, error) {
	f, err := os.Open(path)
	if err != nil {
		return Message{}, err
	}
	defer f.Close()
	msg, err := mail.ReadMessage(f)
	if err != nil {
		return Message{}, fmt.Errorf("%s: %w", path, err)
	}
	to, err := mail.ParseAddress(msg.Header.Get("To"))
	if err != nil {
		return Message{}, fmt.Errorf("%s: To: %w", path, err)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		return Message{}, fmt.Errorf("%s: Subject: %w", path, err)
	}
	var body bytes.Buffer
	var r io.Reader = msg.Body
	if strings.EqualFold(msg.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
		r = quotedprintable.NewReader(msg.Body)
	}
	if _, err := body.ReadFrom(r); err != nil {
		return Message{}, fmt.Errorf("%s: body: %w", path, err)
	}
	return Message{To: to.Address, ToName: to.Name, Subject: subject,
		Body: strings.ReplaceAll(body.String(), "\r\n", "\n")}, nil
}
