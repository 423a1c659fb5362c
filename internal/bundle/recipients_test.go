package bundle

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"
)

func TestReadRecipients(t *testing.T) {
	x1, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	x2, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	pq, err := age.GenerateHybridIdentity()
	if err != nil {
		t.Fatal(err)
	}
	r1, r2, rpq := x1.Recipient().String(), x2.Recipient().String(), pq.Recipient().String()
	secret := x1.String()
	broken := r1[:len(r1)-1] + "q" // checksum no longer matches
	if broken == r1 {
		broken = r1[:len(r1)-1] + "p"
	}

	for _, tc := range []struct {
		name    string
		content string
		want    []string // recipients, when it should succeed
		err     string   // after "<path>", when it should fail
	}{
		{name: "one", content: r1 + "\n", want: []string{r1}},
		{name: "comments blanks and spaces", content: "# ACME Energy\n\n  " + r1 + "  \n# backup key\n" + r2, want: []string{r1, r2}},
		{name: "crlf", content: "# ACME\r\n" + r1 + "\r\n" + r2 + "\r\n", want: []string{r1, r2}},
		{name: "bom", content: "\ufeff" + r1 + "\n", want: []string{r1}},
		{name: "bom and crlf", content: "\ufeff# ACME\r\n" + r1 + "\r\n", want: []string{r1}},
		{name: "post-quantum", content: "# pq\n" + rpq + "\n", want: []string{rpq}},
		{name: "empty", content: "", err: ": no recipients: add at least one age1… public key"},
		{name: "comments only", content: "# nobody yet\n\n", err: ": no recipients: add at least one age1… public key"},
		{
			name:    "secret key",
			content: "# ACME\n" + r1 + "\n" + secret + "\n",
			err:     ":3: refusing an age secret key: secret keys must never be in keys/; remove this line and list only the public recipient (age-keygen -y prints it)",
		},
		{
			name:    "secret key in a comment",
			content: "# old key: " + secret + "\n" + r1 + "\n",
			err:     ":1: refusing an age secret key: secret keys must never be in keys/; remove this line and list only the public recipient (age-keygen -y prints it)",
		},
		{
			name:    "lowercased secret key",
			content: r1 + "\n" + strings.ToLower(secret) + "\n",
			err:     ":2: refusing an age secret key: secret keys must never be in keys/; remove this line and list only the public recipient (age-keygen -y prints it)",
		},
		{name: "ssh key", content: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFake user@host\n", err: ":1: not an age recipient: want a public key starting age1"},
		{name: "malformed", content: "# ACME\n\n" + broken + "\n", err: `:3: malformed age recipient "` + broken + `"`},
		{
			name:    "mixed kinds",
			content: r1 + "\n# pq\n" + rpq + "\n",
			err:     ":3: cannot mix post-quantum (age1pq1…) and classic (age1…) recipients in one file (lines 1 and 3)",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "keys", "ACME.txt")
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(tc.content), 0o644); err != nil {
				t.Fatal(err)
			}
			recs, err := ReadRecipients(path)
			if tc.err != "" {
				if err == nil || err.Error() != path+tc.err {
					t.Fatalf("got  %v\nwant %s", err, path+tc.err)
				}
				if strings.Contains(strings.ToUpper(err.Error()), strings.ToUpper(secret)) {
					t.Errorf("error echoes the secret key: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range recs.list {
				got = append(got, r.(interface{ String() string }).String())
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestReadRecipientsMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys", "NOPE.txt")
	_, err := ReadRecipients(path)
	if want := "open " + path + ": no such file or directory"; err == nil || err.Error() != want {
		t.Errorf("got %v, want %q", err, want)
	}
}

func TestRecipientKinds(t *testing.T) {
	dir := t.TempDir()
	var lines []string
	for range 2 {
		id, err := age.GenerateHybridIdentity()
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, id.Recipient().String())
	}
	pq := filepath.Join(dir, "pq.txt")
	os.WriteFile(pq, []byte("# two post-quantum keys\n"+strings.Join(lines, "\n")+"\n"), 0o644)
	if r, err := ReadRecipients(pq); err != nil || r.X25519 != 0 || r.Hybrid != 2 || r.Len() != 2 {
		t.Errorf("hybrid file: %+v, %v", r, err)
	}
	rec, _, _ := NewIdentity()
	classic := filepath.Join(dir, "x.txt")
	os.WriteFile(classic, []byte(rec+"\n"), 0o644)
	if r, err := ReadRecipients(classic); err != nil || r.X25519 != 1 || r.Hybrid != 0 || r.Len() != 1 {
		t.Errorf("classic file: %+v, %v", r, err)
	}
}
