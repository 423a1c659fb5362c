package audit

// Party names are searched in every encoding a site writes text in, so
// that "Kestrel "Home" Energy Ltd" is found as Kestrel &#34;Home&#34;…,
// Kestrel \"Home\"…, Kestrel ""Home""… or Kestrel%20%22Home…. A name is
// matched case-sensitively and only at word boundaries: names that are
// also common words ("Green", "Octopus") would otherwise match prose, and
// a leak copies the name as parties.csv has it. A match that lies inside
// the recipient's own name (another party called "Alpha", the recipient
// "Alpha Energy") is not a leak.

import (
	"bytes"
	"encoding/json"
	"html"
	"net/url"
	"strings"

	"github.com/dcc/carport/internal/extract"
)

type variant struct {
	party int
	text  []byte
}

type nameIndex struct {
	byFirst map[string][]variant // first run of idBytes → variants
	first   [256]bool            // first bytes of those runs (a prefilter)
	odd     []variant            // variants not starting with an idByte
	all     [][]variant          // per party
}

func nameVariants(name string) []string {
	var out []string
	add := func(s string) {
		if s != "" && !contains(out, s) {
			out = append(out, s)
		}
	}
	add(name)
	add(html.EscapeString(name))
	add(strings.NewReplacer(`&`, "&amp;", `<`, "&lt;", `>`, "&gt;", `"`, "&quot;", `'`, "&#x27;").Replace(name))
	for _, esc := range []bool{true, false} {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(esc)
		enc.Encode(name)
		s := strings.TrimSuffix(b.String(), "\n")
		add(s[1 : len(s)-1])
	}
	add(strings.ReplaceAll(name, `"`, `""`))
	add(url.PathEscape(name))
	add(url.QueryEscape(name))
	return out
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func newNameIndex(parties []*extract.Party) *nameIndex {
	ni := &nameIndex{byFirst: map[string][]variant{}, all: make([][]variant, len(parties))}
	for pi, p := range parties {
		if strings.TrimSpace(p.Name) == "" {
			continue
		}
		for _, v := range nameVariants(p.Name) {
			vr := variant{party: pi, text: []byte(v)}
			ni.all[pi] = append(ni.all[pi], vr)
			j := 0
			for j < len(v) && idByte(v[j]) {
				j++
			}
			if j == 0 {
				ni.odd = append(ni.odd, vr)
				continue
			}
			ni.byFirst[v[:j]] = append(ni.byFirst[v[:j]], vr)
			ni.first[v[0]] = true
		}
	}
	return ni
}

// ownCovers reports whether the match text[i:i+n] lies inside an
// occurrence of one of the recipient's own name variants.
func (ni *nameIndex) ownCovers(me int, text []byte, i, n int) bool {
	if me < 0 {
		return false
	}
	match := text[i : i+n]
	for _, own := range ni.all[me] {
		off := 0
		for {
			k := bytes.Index(own.text[off:], match)
			if k < 0 {
				break
			}
			start := i - (off + k)
			if start >= 0 && start+len(own.text) <= len(text) && bytes.Equal(text[start:start+len(own.text)], own.text) {
				return true
			}
			off += k + 1
		}
	}
	return false
}
