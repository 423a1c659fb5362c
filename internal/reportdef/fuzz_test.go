package reportdef

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

// FuzzDecode feeds arbitrary bytes to the loader as one definition beside
// the shipped catalogue and policy. It must never panic; it must either
// return a suite or Problems that each name the file, and a suite it
// returns must expand.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(goodDef))
	files, err := filepath.Glob(filepath.Join("..", "..", "reportdefs", "*.toml"))
	if err != nil {
		f.Fatal(err)
	}
	for _, file := range files {
		if filepath.Base(file) == "policy.toml" {
			continue
		}
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("[[views]]\n[views.chart]\n[[views]]\n[views.chart.x]\n"))
	f.Add([]byte("Title = 1\n[Matrix]\nover = \"srv\"\n"))
	base := shipped(f)
	f.Fuzz(func(t *testing.T, src []byte) {
		fsys := fstest.MapFS{"fuzz.toml": &fstest.MapFile{Data: src}}
		for name, file := range base {
			fsys[name] = file
		}
		s, err := LoadFS(fsys, "reportdefs")
		if err != nil {
			var ps Problems
			if !errors.As(err, &ps) || len(ps) == 0 {
				t.Fatalf("error %v is not Problems", err)
			}
			for _, p := range ps {
				if !strings.HasPrefix(p.File, "reportdefs") || p.Msg == "" || p.Line < 0 {
					t.Fatalf("problem without a file, message or sane line: %#v", p)
				}
			}
			return
		}
		for _, in := range s.Instances(Select{Drafts: true, Archived: true}) {
			if in.ID == "" || len(in.Roles) == 0 {
				t.Fatalf("instance without id or roles: %#v", in)
			}
			for _, r := range in.Roles {
				in.ViewsFor(r)
			}
		}
	})
}

// FuzzCompile is FuzzDecode without reloading the catalogue for every
// input: the decoder and compiler of one definition file against the
// shipped catalogue, loaded once, so the fuzzer gets far more runs a
// second. Problems must carry a line that exists in the input.
func FuzzCompile(f *testing.F) {
	f.Add(goodDef)
	f.Add("[[views]]\n[views.chart]\nkind = 1\n[[views]]\n[views.chart]\n")
	f.Add("a = \"\"\"\n[[x]]\n\"\"\"\nb = [\n1,\n]\n[c]\nd.e = 1\n")
	s, err := LoadFS(shipped(f), "reportdefs")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, src string) {
		d := &decoder{file: "fuzz.toml"}
		var r rawDef
		if d.decode(src, &r) {
			def := d.compileDef(&r, []byte(src), s.Catalogue)
			if def.Line("version") < 0 || def.Line("views.0.chart.kind") < 0 {
				t.Fatal("negative line")
			}
			s.expand(def)
		}
		lines := strings.Count(src, "\n") + 1
		for _, p := range d.problems {
			if p.Line < 0 || p.Line > lines {
				t.Fatalf("problem at line %d of a %d-line file: %v", p.Line, lines, p)
			}
		}
	})
}
