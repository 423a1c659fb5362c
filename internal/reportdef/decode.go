package reportdef

import (
	"encoding"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/dcc/carport/internal/contract"
)

// Problem is one thing wrong with a definition file.
type Problem struct {
	File string
	Line int    // 0 when unknown
	Key  string // dotted key, e.g. "views.kind"; empty for whole-file problems
	Msg  string // what is wrong
	Hint string // the fix, when it is obvious; not part of Error
}

// Error formats the problem as `file:line: key "k": message`, leaving out
// what is unknown.
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

// Error is one problem a line, in order.
func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.Error()
	}
	return strings.Join(lines, "\n")
}

// sort orders problems by file, then line, keeping the order of equals.
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

// typeErrRE matches the TOML library's decoding errors, which are plain
// strings that carry the line and key in their text.
var typeErrRE = regexp.MustCompile(`^toml: line (\d+) \(last key "([^"]*)"\): (.*)$`)

// decode decodes src into v and reports unknown and mis-cased keys: the
// TOML library matches keys case-insensitively and ignores extras, which
// would let "Title" or "titel" pass silently. Every occurrence is reported
// at its own line, also inside the second or later [[views]].
func (d *decoder) decode(src string, v any) bool {
	d.loc = locate(src)
	md, err := toml.Decode(src, v)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			d.problems = append(d.problems, Problem{File: d.file, Line: pe.Position.Line, Key: pe.LastKey, Msg: "invalid TOML: " + pe.Message})
		} else if m := typeErrRE.FindStringSubmatch(err.Error()); m != nil {
			line, _ := strconv.Atoi(m[1])
			d.problems = append(d.problems, Problem{File: d.file, Line: line, Key: m[2], Msg: "invalid value: " + m[3]})
		} else {
			d.problems = append(d.problems, Problem{File: d.file, Msg: "invalid TOML: " + strings.TrimPrefix(err.Error(), "toml: ")})
		}
		return false
	}
	allowed := map[string]bool{}
	arrays := map[string]bool{}
	collectKeys(reflect.TypeOf(v).Elem(), "", allowed, arrays)
	counts := map[string]int{} // elements seen so far of each array of tables
	for _, k := range md.Keys() {
		path := strings.Join(k, ".")
		if arrays[path] && md.Type(k...) == "ArrayHash" {
			counts[indexed(k, arrays, counts)]++
		}
		if allowed[path] {
			continue
		}
		last := k[len(k)-1]
		parent := strings.Join(k[:len(k)-1], ".")
		if parent != "" && !allowed[parent] {
			continue // reported at the parent
		}
		hint := ""
		for a := range allowed {
			if strings.EqualFold(a, path) {
				hint = fmt.Sprintf("keys are lowercase: did you mean %q?", a[strings.LastIndexByte(a, '.')+1:])
			}
		}
		d.problems = append(d.problems, Problem{File: d.file, Line: d.loc.line(indexed(k, arrays, counts)), Key: path,
			Msg: fmt.Sprintf("unknown key %q", last), Hint: hint})
	}
	return true
}

// indexed turns the key path k into the locator's form, with the index of
// the current element after each array of tables: ["views", "titel"]
// becomes "views.2.titel" while the third [[views]] is being read, and
// ["views", "headline", "labl"] becomes "views.2.headline.0.labl". Counts
// are kept by indexed path, so a nested array counts per outer element.
func indexed(k []string, arrays map[string]bool, counts map[string]int) string {
	var plain []string
	out := ""
	for i, part := range k {
		plain = append(plain, part)
		if out != "" {
			out += "."
		}
		out += part
		if i < len(k)-1 && arrays[strings.Join(plain, ".")] && counts[out] > 0 {
			out += "." + strconv.Itoa(counts[out]-1)
		}
	}
	return out
}

// field decodes one TOML value through T's UnmarshalText (a view kind, a
// dataset, a role …) and keeps the error instead of returning it:
// toml.Decode stops at the first error, and a file's problems are
// reported all at once, each at its own line, by the compiler (see
// decoder.check).
type field[T any, P interface {
	*T
	encoding.TextUnmarshaler
}] struct {
	Text  string // as written
	Value T      // valid when Err is nil
	Err   error
}

// UnmarshalText never fails: T's error is kept in Err.
func (f *field[T, P]) UnmarshalText(b []byte) error {
	f.Text = string(b)
	f.Err = P(&f.Value).UnmarshalText(b)
	return nil
}

// The typed fields of the raw definitions.
type (
	datasetField = field[contract.Dataset, *contract.Dataset]
	kindField    = field[contract.ViewKind, *contract.ViewKind]
	chartField   = field[ChartKind, *ChartKind]
	roleField    = field[contract.Role, *contract.Role]
)

// check records f's error at key and reports whether f holds a value.
func check[T any, P interface {
	*T
	encoding.TextUnmarshaler
}](d *decoder, key string, f field[T, P]) bool {
	if f.Err != nil {
		d.addf(key, "%v", f.Err)
		return false
	}
	return true
}

// textUnmarshaler is the type of values decoded through UnmarshalText.
var textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()

// collectKeys records every key path the struct type t accepts.
// Paths of slices of structs (arrays of tables) also go into arrays.
func collectKeys(t reflect.Type, prefix string, out, arrays map[string]bool) {
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
		slice := false
		for ft.Kind() == reflect.Pointer || ft.Kind() == reflect.Slice {
			slice = slice || ft.Kind() == reflect.Slice
			ft = ft.Elem()
		}
		if ft.Kind() == reflect.Struct && ft.String() != "toml.Primitive" && ft.String() != "time.Time" && !reflect.PointerTo(ft).Implements(textUnmarshaler) {
			if slice {
				arrays[path] = true
			}
			collectKeys(ft, path, out, arrays)
		}
	}
}
