package mail

import (
	"bufio"
	"context"
	"net"
	"net/mail"
	"strings"
	"testing"
)

// smtpSink is the least SMTP server that accepts one message on loopback
// (no STARTTLS: a local relay) and hands back what it received.
func smtpSink(t *testing.T) (addr string, got chan string) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	got = make(chan string, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		r, w := bufio.NewReader(c), bufio.NewWriter(c)
		say := func(s string) { w.WriteString(s + "\r\n"); w.Flush() }
		say("220 sink ready")
		var env, data strings.Builder
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			cmd := strings.ToUpper(strings.TrimSpace(line))
			switch {
			case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
				say("250-sink")
				say("250 8BITMIME")
			case strings.HasPrefix(cmd, "MAIL FROM"), strings.HasPrefix(cmd, "RCPT TO"):
				env.WriteString(strings.TrimSpace(line) + "\n")
				say("250 ok")
			case cmd == "DATA":
				say("354 go on")
				for {
					l, err := r.ReadString('\n')
					if err != nil {
						return
					}
					if l == ".\r\n" {
						break
					}
					data.WriteString(strings.TrimPrefix(l, "."))
				}
				say("250 queued")
			case cmd == "QUIT":
				say("221 bye")
				got <- env.String() + "\n" + data.String()
				return
			default:
				say("502 no")
			}
		}
	}()
	return ln.Addr().String(), got
}

func TestSMTPSend(t *testing.T) {
	addr, got := smtpSink(t)
	s := &SMTP{Addr: addr, From: "carport@example.org"}
	body := "Hello,\n.\nA line that is only a dot, above.\nhttps://host.example/password/l1.abc"
	if err := s.Send(context.Background(), Message{To: "ada@example.com", ToName: "Ada", Subject: "Set your password", Body: body}); err != nil {
		t.Fatal(err)
	}
	raw := <-got
	env, msg, _ := strings.Cut(raw, "\n\n")
	if !strings.Contains(env, "MAIL FROM:<carport@example.org>") || !strings.Contains(env, "RCPT TO:<ada@example.com>") {
		t.Errorf("envelope:\n%s", env)
	}
	m, err := mail.ReadMessage(strings.NewReader(msg))
	if err != nil {
		t.Fatal(err)
	}
	if m.Header.Get("Subject") != "Set your password" || !strings.Contains(m.Header.Get("To"), "ada@example.com") {
		t.Errorf("headers: %v", m.Header)
	}
	b := new(strings.Builder)
	bufio.NewReader(m.Body).WriteTo(b)
	if strings.ReplaceAll(b.String(), "\r\n", "\n") != body+"\n" {
		t.Errorf("body arrived as %q", b.String())
	}
}

func TestSMTPUnreachable(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	s := &SMTP{Addr: addr, From: "carport@example.org"}
	if err := s.Send(context.Background(), Message{To: "a@example.com", Subject: "x", Body: "y"}); err == nil {
		t.Error("sending to a closed port succeeded")
	}
}
