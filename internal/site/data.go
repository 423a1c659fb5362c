package site

// Data files are written after Hugo has built the pages, straight into the
// staging folder: the CSVs are the public contract (exact bytes, exact
// paths data/<role>/<report>/<view>.csv), so they never pass through Hugo.

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// writeData writes every view's CSV (or copies its File), every chart
// script, the templates' static files (CSS, site JS: Hugo's library API
// does not copy static files, its CLI does) and echarts.min.js into the
// site at root.
func writeData(root string, o Options, p *plan) error {
	static := filepath.Join(o.TemplatesDir, "static")
	if _, err := os.Stat(static); err == nil {
		if err := copyTree(static, root); err != nil {
			return err
		}
	}
	if err := copyFile(o.EChartsJS, filepath.Join(root, "assets", "echarts.min.js")); err != nil {
		return err
	}
	for _, r := range p.roles {
		for _, rep := range r.reports {
			for _, v := range rep.views {
				dst := filepath.Join(root, filepath.FromSlash(strings.TrimPrefix(v.csv, "/")))
				if v.in.File != "" {
					if err := copyFile(v.in.File, dst); err != nil {
						return err
					}
					continue
				}
				b, err := encodeCSV(v.in.Header, v.in.Rows)
				if err != nil {
					return fmt.Errorf("role %s report %s view %s: %w", r.in.Role, rep.in.ID, v.in.ID, err)
				}
				if err := writeFileAtomic(dst, b); err != nil {
					return err
				}
				if v.script == "" {
					continue
				}
				var js bytes.Buffer
				for _, c := range v.charts {
					js.Write(c.js)
				}
				if err := writeFileAtomic(filepath.Join(root, filepath.FromSlash(strings.TrimPrefix(v.script, "/"))), js.Bytes()); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// encodeCSV writes header and rows as RFC 4180 CSV with encoding/csv.
func encodeCSV(header []string, rows [][]string) ([]byte, error) {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	if err := w.Write(header); err != nil {
		return nil, err
	}
	if err := w.WriteAll(rows); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// writeFileAtomic writes b to a temporary file in the target folder and
// renames it into place.
func writeFileAtomic(dst string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return fmt.Errorf("creating folder for %s: %w", dst, err)
	}
	f, err := os.CreateTemp(filepath.Dir(dst), ".tmp-*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", dst, err)
	}
	tmp := f.Name()
	_, werr := f.Write(b)
	cerr := f.Close()
	if werr != nil || cerr != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", dst, firstErr(werr, cerr))
	}
	if err := os.Chmod(tmp, 0o644); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", dst, err)
	}
	if err := os.Rename(tmp, dst); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", dst, err)
	}
	return nil
}

// copyFile copies src to dst atomically.
func copyFile(src, dst string) (err error) {
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("copying %s: %w", src, err)
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return fmt.Errorf("creating folder for %s: %w", dst, err)
	}
	f, err := os.CreateTemp(filepath.Dir(dst), ".tmp-*")
	if err != nil {
		return fmt.Errorf("copying %s: %w", src, err)
	}
	tmp := f.Name()
	_, werr := io.Copy(f, in)
	cerr := f.Close()
	if werr != nil || cerr != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("copying %s: %w", src, firstErr(werr, cerr))
	}
	if err := os.Chmod(tmp, 0o644); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, dst); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("copying %s: %w", src, err)
	}
	return nil
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}
