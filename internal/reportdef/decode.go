package reportdef

import (
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
)

// Problem is one thing wrong with a definition file.
type Problem struct {
	File string
	Line int    // 0 when unknown
	Key  string // dotted key, e.g. "views.kind"; empty for whole-file problems
	Msg  string
	Hint string
}

func (p Problem) Error() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
	}
	b.WriteString(": ")
	if p.Key != "" {
		fmt.Fprintf(&b, "key %q: ", p.Key)
	}
	b.WriteString(p.Msg)
	return b.String()
}

// Problems is every problem found; it is the error the loaders return.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.Error()
	}
	return strings.Join(lines, "\n")
}

// sortProblems orders problems by file, then line.
func (ps Problems) sort() {
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].File != ps[j].File {
			return ps[i].File < ps[j].File
		}
		return ps[i].Line < ps[j].Line
	})
}

// decoder decodes one file strictly and collects problems with lines.
type decoder struct {
	file     string
	loc      locator
	problems Problems
}

func (d *decoder) addf(key, format string, args ...any) {
	d.problems = append(d.problems, Problem{File: d.file, Line: d.loc.line(key), Key: stripIndexes(key), Msg: fmt.Sprintf(format, args...)})
}

// decode decodes src into v and reports unknown and mis-cased keys: the
// TOML library matches keys case-insensitively and ignores extras, which
// would let "Title" or "titel" pass silently.
func (d *decoder) decode(src string, v any) bool {
	d.loc = locate(src)
	md, err := toml.Decode(src, v)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			d.problems = append(d.problems, Problem{File: d.file, Line: pe.Position.Line, Msg: "invalid TOML: " + pe.Message})
		} else {
			d.problems = append(d.problems, Problem{File: d.file, Msg: "invalid TOML: " + err.Error()})
		}
		return false
	}
	allowed := map[string]bool{}
	collectKeys(reflect.TypeOf(v).Elem(), "", allowed)
	seen := map[string]bool{}
	for _, k := range md.Keys() {
		path := strings.Join(k, ".")
		if allowed[path] || seen[path] {
			continue
		}
		seen[path] = true
		last := k[len(k)-1]
		parent := strings.Join(k[:len(k)-1], ".")
		if parent != "" && !allowed[parent] {
			continue // reported at the parent
		}
		msg := fmt.Sprintf("unknown key %q", last)
		for a := range allowed {
			if strings.EqualFold(a, path) {
				msg = fmt.Sprintf("unknown key %q (keys are lowercase: did you mean %q?)", last, a[strings.LastIndexByte(a, '.')+1:])
			}
		}
		d.problems = append(d.problems, Problem{File: d.file, Line: d.loc.line(path), Key: path, Msg: msg})
	}
	return true
}

// collectKeys records every key path the struct type t accepts.
func collectKeys(t reflect.Type, prefix string, out map[string]bool) {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return
	}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
		if name == "" || name == "-" {
			continue
		}
		path := name
		if prefix != "" {
			path = prefix + "." + name
		}
		out[path] = true
		ft := f.Type
		for ft.Kind() == reflect.Pointer || ft.Kind() == reflect.Slice {
			ft = ft.Elem()
		}
		if ft.Kind() == reflect.Struct && ft.String() != "toml.Primitive" {
			collectKeys(ft, path, out)
		}
	}
}
