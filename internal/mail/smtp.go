package mail

// SMTP submission: STARTTLS is required unless the server is on a loopback
// address (a local relay), so credentials and links never cross a network
// in the clear. Port 465 means TLS from the first byte.

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/smtp"
	"time"
)

// SMTP submits messages to a mail server.
type SMTP struct {
	Addr     string // host:port
	From     string
	User     string // optional: PLAIN auth when set
	Password string
	Timeout  time.Duration // per message; 0: 30 s
	// TLSConfig overrides the client TLS settings (tests).
	TLSConfig *tls.Config
}

// Send submits m.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	raw, err := Compose(s.From, m, time.Now())
	if err != nil {
		return err
	}
	host, port, err := net.SplitHostPort(s.Addr)
	if err != nil {
		return fmt.Errorf("smtp server %q: %w", s.Addr, err)
	}
	timeout := s.Timeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tc := s.TLSConfig
	if tc == nil {
		tc = &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
	}
	var d net.Dialer
	var conn net.Conn
	if port == "465" {
		conn, err = (&tls.Dialer{NetDialer: &d, Config: tc}).DialContext(ctx, "tcp", s.Addr)
	} else {
		conn, err = d.DialContext(ctx, "tcp", s.Addr)
	}
	if err != nil {
		return fmt.Errorf("smtp server %s: %w", s.Addr, err)
	}
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("smtp server %s: %w", s.Addr, err)
	}
	defer c.Close()
	if port != "465" {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(tc); err != nil {
				return fmt.Errorf("smtp server %s: starttls: %w", s.Addr, err)
			}
		} else if !isLoopback(host) {
			return fmt.Errorf("smtp server %s does not offer STARTTLS", s.Addr)
		}
	}
	if s.User != "" {
		if err := c.Auth(smtp.PlainAuth("", s.User, s.Password, host)); err != nil {
			return fmt.Errorf("smtp server %s: auth: %w", s.Addr, err)
		}
	}
	if err := c.Mail(s.From); err != nil {
		return fmt.Errorf("smtp server %s: MAIL FROM: %w", s.Addr, err)
	}
	if err := c.Rcpt(m.To); err != nil {
		return fmt.Errorf("smtp server %s: RCPT TO: %w", s.Addr, err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("smtp server %s: DATA: %w", s.Addr, err)
	}
	if _, err := w.Write(raw); err != nil {
		return fmt.Errorf("smtp server %s: DATA: %w", s.Addr, err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("smtp server %s: DATA: %w", s.Addr, err)
	}
	return errors.Join(c.Quit())
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
