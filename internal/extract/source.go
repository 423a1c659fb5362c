package extract

import (
	"bufio"
	"compress/flate"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// source is one opened extract: NAME.csv or NAME.csv.gz, never both.
type source struct {
	name string // file name as found, e.g. "alerts.csv.gz"
	path string // dir joined with name
	f    *os.File
	cnt  *countingReader
	gz   *gzip.Reader
	r    io.Reader // the CSV text
	// mapped is the whole file mapped into memory, for a plain file that
	// could be mapped; r is then unused.
	mapped []byte
}

// countingReader counts the bytes read from disk.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// exists reports whether path exists; errors other than "not found" are
// returned.
func exists(path string) (bool, error) {
	_, err := os.Stat(path)
	if err == nil {
		return true, nil
	}
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return false, err
}

// openExtract opens base ("alerts.csv") or base+".gz" in dir.
func openExtract(dir, base string) (*source, error) {
	plain := filepath.Join(dir, base)
	gzPath := plain + ".gz"
	hasPlain, err := exists(plain)
	if err != nil {
		return nil, err
	}
	hasGz, err := exists(gzPath)
	if err != nil {
		return nil, err
	}
	switch {
	case hasPlain && hasGz:
		return nil, &DataError{File: plain,
			Msg:  fmt.Sprintf("both %s and %s.gz exist (want one)", base, base),
			Hint: "remove one of them"}
	case !hasPlain && !hasGz:
		return nil, &DataError{File: plain,
			Msg: fmt.Sprintf("no such extract (want %s or %s.gz)", base, base)}
	}
	s := &source{name: base, path: plain}
	if hasGz {
		s.name, s.path = base+".gz", gzPath
	}
	s.f, err = os.Open(s.path)
	if err != nil {
		return nil, err
	}
	s.cnt = &countingReader{r: s.f}
	s.r = s.cnt
	if !hasGz {
		if s.mapped = mapFile(s.f); s.mapped != nil {
			s.cnt.n = int64(len(s.mapped))
		}
	}
	if hasGz {
		s.gz, err = gzip.NewReader(bufio.NewReaderSize(s.cnt, 1<<20))
		if err != nil {
			s.f.Close()
			return nil, &DataError{File: s.path, Msg: "corrupt gzip stream: " + err.Error(),
				Hint: "the file is damaged or truncated; ask for it again"}
		}
		s.r = s.gz
	}
	return s, nil
}

// readError turns a read failure into an error naming the file; a corrupt
// gzip stream is a DataError.
func (s *source) readError(err error) error {
	var ce flate.CorruptInputError
	if errors.Is(err, gzip.ErrHeader) || errors.Is(err, gzip.ErrChecksum) ||
		errors.As(err, &ce) || (s.gz != nil && errors.Is(err, io.ErrUnexpectedEOF)) {
		return &DataError{File: s.path, Msg: "corrupt gzip stream: " + err.Error(),
			Hint: "the file is damaged or truncated; ask for it again"}
	}
	return fmt.Errorf("%s: %w", s.path, err)
}

// Close closes the file (and the gzip reader).
func (s *source) Close() error {
	var gzErr, mapErr error
	if s.gz != nil {
		gzErr = s.gz.Close()
	}
	if s.mapped != nil {
		mapErr = unmapFile(s.mapped)
		s.mapped = nil
	}
	return errors.Join(gzErr, mapErr, s.f.Close())
}
