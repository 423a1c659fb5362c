package site

// Data files are written after Hugo has built the pages, straight into the
// staging folder: the CSVs are the public contract (exact bytes, exact
// paths data/<role>/<report>/<view>.csv), so they never pass through Hugo.

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/dcc/carport/internal/csvcell"
)

// writeData writes every view's CSV (or copies its File) and script (its
// charts and its table's rows), the documents of the party's roles, the
// templates' static files (CSS, site JS: Hugo's library API does not copy
// static files, its CLI does) and echarts.min.js into the site at root.
func writeData(root string, o Options, p *plan) error {
	if _, err := fs.Stat(o.Templates, "static"); err == nil {
		if err := copyTree(o.Templates, "static", root, nil); err != nil {
			return err
		}
	}
	if err := copyFile(o.ECharts, o.EChartsFile, filepath.Join(root, "assets", "echarts.min.js")); err != nil {
		return err
	}
	for _, d := range p.docs {
		if err := copyFile(o.Content, d.src, filepath.Join(root, filepath.FromSlash(strings.TrimPrefix(d.Href, "/")))); err != nil {
			return err
		}
	}
	var js bytes.Buffer
	for _, r := range p.roles {
		for _, rep := range r.reports {
			js.Reset()
			for _, v := range rep.views {
				dst := filepath.Join(root, filepath.FromSlash(strings.TrimPrefix(v.csv, "/")))
				if v.in.File != "" {
					if err := copyFile(os.DirFS(filepath.Dir(v.in.File)), filepath.Base(v.in.File), dst); err != nil {
						return err
					}
					continue
				}
				if err := writeFile(dst, v.data); err != nil {
					return err
				}
				for _, c := range v.charts {
					js.Write(c.js)
				}
				if v.table != nil {
					if err := tableScript(&js, &v, p.minEvents); err != nil {
						return fmt.Errorf("role %s report %s view %s: %w", r.in.Role, rep.in.ID, v.in.ID, err)
					}
				}
			}
			if rep.script != "" {
				if err := writeFile(filepath.Join(root, filepath.FromSlash(strings.TrimPrefix(rep.script, "/"))), js.Bytes()); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// tableSpec is what the site JS needs to build a view's table: its
// columns ([machine name, label, format, 1 when numeric]), the column
// marking the recipient's own row, and the column counting the events
// behind a row with the small-sample threshold.
type tableSpec struct {
	Cols   [][4]any `json:"cols"`
	Own    string   `json:"own,omitempty"`
	Sample string   `json:"sample,omitempty"`
	Min    int      `json:"min,omitempty"`
}

// tableScript appends carport.table(id, spec, csv): the table's rows
// travel as the CSV text itself, the smallest form and parsed once by the
// browser.
func tableScript(b *bytes.Buffer, v *viewPlan, minEvents int) error {
	spec := tableSpec{Cols: make([][4]any, len(v.cols))}
	for i, c := range v.cols {
		num := 0
		if c.Numeric {
			num = 1
		}
		spec.Cols[i] = [4]any{c.Name, c.Label, c.Format, num}
	}
	if v.own >= 0 {
		spec.Own = v.in.Header[v.own]
	}
	if v.sample >= 0 && minEvents > 0 {
		spec.Sample, spec.Min = v.in.Header[v.sample], minEvents
	}
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	b.WriteString("carport.table(")
	for _, x := range []any{"t-" + v.in.ID, spec, string(v.table)} {
		if err := enc.Encode(x); err != nil {
			return err
		}
		b.Truncate(b.Len() - 1) // Encode's newline
		b.WriteString(", ")
	}
	b.Truncate(b.Len() - 2)
	b.WriteString(");\n")
	return nil
}

// encodeCSV writes header and rows as RFC 4180 CSV with encoding/csv,
// every cell neutralised against spreadsheet formulas (csvcell).
func encodeCSV(header []string, rows [][]string) ([]byte, error) {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	var safe []string
	for _, r := range append([][]string{header}, rows...) {
		safe = safe[:0]
		for _, c := range r {
			safe = append(safe, csvcell.Neutralise(c))
		}
		if err := w.Write(safe); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return b.Bytes(), w.Error()
}

// writeFile writes b to dst, creating its folder. Files are written in
// place: the whole staging folder is renamed into place only when the site
// is complete, so per-file atomicity would buy nothing and cost a rename
// and a chmod per file.
func writeFile(dst string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return fmt.Errorf("creating folder for %s: %w", dst, err)
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", dst, err)
	}
	return nil
}

// copyFile copies the file name of fsys to dst, creating dst's folder.
func copyFile(fsys fs.FS, name, dst string) error {
	in, err := fsys.Open(name)
	if err != nil {
		return fmt.Errorf("copying %s: %w", name, err)
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return fmt.Errorf("creating folder for %s: %w", dst, err)
	}
	f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("copying %s: %w", name, err)
	}
	_, werr := io.Copy(f, in)
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return fmt.Errorf("copying %s: %w", name, werr)
	}
	return nil
}
