package bundle

// A recipients file under keys/ is committed to the repository, so it must
// only ever hold public keys. Any line mentioning an age secret key, even in a
// comment, is refused, and the error never repeats the line.

import (
	"bufio"
	"fmt"
	"os"
	"strings"

	"filippo.io/age"
)

// maxRecipientLine bounds one line of a recipients file; real recipients are
// under 2 kB even for post-quantum keys.
const maxRecipientLine = 64 << 10

// Recipients are a party's public age keys, read once from its recipients
// file and sealed to as often as needed.
type Recipients struct {
	Path   string // the file they were read from
	list   []age.Recipient
	X25519 int // classic recipients (age1…)
	Hybrid int // post-quantum hybrid recipients (age1pq1…)
}

// Len is the number of recipients.
func (r *Recipients) Len() int { return len(r.list) }

// ReadRecipients reads a party's public keys from a recipients file
// (keys/<party>.txt): one age recipient (age1… or age1pq1…) per line, with
// blank lines and lines starting with '#' ignored and surrounding spaces
// trimmed. Errors name the file and line. A file with no recipients, a line
// that is not a recipient, a mix of post-quantum and classic recipients (age
// cannot encrypt to both at once), and any line holding an age secret key are
// all errors.
func ReadRecipients(path string) (*Recipients, error) {
	recs, err := readRecipients(path)
	if err != nil {
		return nil, err
	}
	r := &Recipients{Path: path, list: recs}
	for _, x := range recs {
		if _, ok := x.(*age.HybridRecipient); ok {
			r.Hybrid++
		} else {
			r.X25519++
		}
	}
	return r, nil
}

func readRecipients(path string) ([]age.Recipient, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()

	var (
		recs        []age.Recipient
		classic, pq int // line numbers of the first recipient of each kind
		sc          = bufio.NewScanner(f)
		n           int
	)
	sc.Buffer(make([]byte, 0, 4096), maxRecipientLine)
	for sc.Scan() {
		n++
		line := sc.Text()
		if n == 1 {
			line = strings.TrimPrefix(line, "\ufeff") // a BOM, as editors on Windows write
		}
		line = strings.TrimSpace(line) // CRLF line ends too
		if strings.Contains(strings.ToUpper(line), "AGE-SECRET-KEY-") {
			return nil, fmt.Errorf("%s:%d: refusing an age secret key: secret keys must never be in keys/; remove this line and list only the public recipient (age-keygen -y prints it)", path, n)
		}
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		var r age.Recipient
		switch {
		case strings.HasPrefix(line, "age1pq1"):
			r, err = age.ParseHybridRecipient(line)
			if pq == 0 {
				pq = n
			}
		case strings.HasPrefix(line, "age1"):
			r, err = age.ParseX25519Recipient(line)
			if classic == 0 {
				classic = n
			}
		default:
			// Not echoed: it may be key material pasted in the wrong file.
			return nil, fmt.Errorf("%s:%d: not an age recipient: want a public key starting age1", path, n)
		}
		if err != nil {
			return nil, fmt.Errorf("%s:%d: malformed age recipient %q", path, n, line)
		}
		if classic != 0 && pq != 0 {
			return nil, fmt.Errorf("%s:%d: cannot mix post-quantum (age1pq1…) and classic (age1…) recipients in one file (lines %d and %d)", path, n, min(classic, pq), max(classic, pq))
		}
		recs = append(recs, r)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s:%d: %w", path, n+1, err)
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("%s: no recipients: add at least one age1… public key", path)
	}
	return recs, nil
}
