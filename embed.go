// Package carport holds the repository's data built into the carport
// binary: the report definitions, catalogues and policy (reportdefs/), the
// site templates (templates/), the authored pages and documents
// (content/), the pinned echarts.min.js and the DCC's public signing key.
// A binary therefore runs from any folder with no other files.
package carport

// Where data comes from: a folder given on the command line wins; without
// one, the folder of that name in the current directory (a checkout, as
// analysts and make targets run carport), else the copy built into the
// binary. The same rule for every folder, as Hugo's project files
// override its embedded templates.

import (
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// SigningKey is keys/dcc-signing.pub: the DCC's public minisign key that
// `carport open` checks bundles against unless given another.
//
//go:embed keys/dcc-signing.pub
var SigningKey []byte

// The folders carport ships. "all:" keeps the files whose names start
// with "_" or "." (Hugo's layouts/_partials, _markup, _shortcodes).
//
//go:embed all:reportdefs all:templates all:content
var data embed.FS

// EChartsName is the name of the pinned ECharts build.
const EChartsName = "echarts.min.js"

// echarts holds the committed copy of the pinned npm package's file
// (third_party/echarts; a test proves them equal).
//
//go:embed third_party/echarts/echarts.min.js
var echarts embed.FS

// Source is a folder of data carport reads: given, found or built in.
type Source struct {
	FS      fs.FS
	Name    string // how messages name it: the folder's path, or the folder's name for the built-in copy
	BuiltIn bool
}

// The data folders.
const (
	Reportdefs = "reportdefs"
	Templates  = "templates"
	Content    = "content"
)

// Open returns the data folder kind (Reportdefs, Templates or Content):
// dir when given (it must be a folder), else ./kind when the current
// directory holds one, else the copy built into carport.
func Open(kind, dir string) (Source, error) {
	if dir != "" {
		st, err := os.Stat(dir)
		if err != nil {
			return Source{}, err
		}
		if !st.IsDir() {
			return Source{}, fmt.Errorf("%s: not a folder", dir)
		}
		return Source{FS: os.DirFS(dir), Name: dir}, nil
	}
	if st, err := os.Stat(kind); err == nil && st.IsDir() {
		return Source{FS: os.DirFS(kind), Name: kind}, nil
	}
	return BuiltIn(kind)
}

// BuiltIn returns the copy of data folder kind built into carport.
func BuiltIn(kind string) (Source, error) {
	switch kind {
	case Reportdefs, Templates, Content:
	default:
		return Source{}, fmt.Errorf("no data folder %q", kind)
	}
	sub, err := fs.Sub(data, kind)
	if err != nil {
		return Source{}, err
	}
	return Source{FS: sub, Name: kind, BuiltIn: true}, nil
}

// ECharts returns a file system holding the ECharts script and the
// script's name in it: the folder of path when path is given (the file is
// read at every use), else the copy built into carport (EChartsName).
func ECharts(path string) (fsys fs.FS, name string, err error) {
	if path == "" {
		sub, err := fs.Sub(echarts, "third_party/echarts")
		return sub, EChartsName, err
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, "", err
	}
	if st.IsDir() {
		return nil, "", fmt.Errorf("%s: a folder, not the echarts.min.js file", path)
	}
	return os.DirFS(filepath.Dir(path)), filepath.Base(path), nil
}
