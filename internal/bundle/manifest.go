package bundle

import (
	"bytes"
	"cmp"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"
)

// FormatVersion is the manifest format this package writes and reads.
const FormatVersion = 1

// ManifestName is the name of the manifest inside every bundle, at the root
// of the zip.
const ManifestName = "manifest.json"

// maxManifestSize bounds how much of manifest.json Open will read, so a
// hostile bundle cannot exhaust memory with it.
const maxManifestSize = 64 << 20

// Manifest is manifest.json inside every bundle.
type Manifest struct {
	// Format is the manifest format version, FormatVersion.
	Format int `json:"format"`
	// Period is the reporting period, YYYY-MM.
	Period string `json:"period"`
	// Party is the recipient party's id.
	Party string `json:"party"`
	// GeneratorVersion is the version of carport that built the bundle.
	GeneratorVersion string `json:"generator_version"`
	// Reports lists the report instances in the bundle, sorted by role then id.
	Reports []ReportRef `json:"reports"`
	// Files lists every file in the bundle except manifest.json itself,
	// sorted by path.
	Files []FileEntry `json:"files"`
}

// ReportRef names one report instance in a bundle.
type ReportRef struct {
	// Role is the user role the report benchmarks in (IS, GS, ED, ...).
	Role string `json:"role"`
	// ID is the report instance id, e.g. srv-4.1.1.
	ID string `json:"id"`
	// Version is the report definition's version.
	Version string `json:"version"`
}

// FileEntry is one file of a bundle.
type FileEntry struct {
	// Path is the slash-separated path inside the zip.
	Path string `json:"path"`
	// Size is the file's length in bytes.
	Size int64 `json:"size"`
	// SHA256 is the lowercase hex SHA-256 of the file's contents.
	SHA256 string `json:"sha256"`
}

// periodStart parses a YYYY-MM period and returns its first instant in UTC,
// which Seal uses as the modification time of every zip entry.
func periodStart(period string) (time.Time, error) {
	t, err := time.Parse("2006-01", period)
	if err != nil || t.Format("2006-01") != period {
		return time.Time{}, fmt.Errorf("manifest period %q is not YYYY-MM", period)
	}
	return t, nil
}

// normalise checks the caller-supplied fields of m and returns a copy in
// canonical form: Format set, Reports sorted, slices non-nil so they encode
// as [] rather than null.
func (m Manifest) normalise() (Manifest, error) {
	switch m.Format {
	case 0:
		m.Format = FormatVersion
	case FormatVersion:
	default:
		return Manifest{}, fmt.Errorf("manifest format %d is not supported (this carport writes %d)", m.Format, FormatVersion)
	}
	if _, err := periodStart(m.Period); err != nil {
		return Manifest{}, err
	}
	if m.Party == "" {
		return Manifest{}, errors.New("manifest has no party")
	}
	if m.GeneratorVersion == "" {
		return Manifest{}, errors.New("manifest has no generator version")
	}
	m.Reports = slices.Clone(m.Reports)
	if m.Reports == nil {
		m.Reports = []ReportRef{}
	}
	slices.SortStableFunc(m.Reports, func(a, b ReportRef) int {
		return cmp.Or(cmp.Compare(a.Role, b.Role), cmp.Compare(a.ID, b.ID))
	})
	for _, r := range m.Reports {
		if r.Role == "" || r.ID == "" {
			return Manifest{}, fmt.Errorf("manifest lists a report with no role or id (%+v)", r)
		}
	}
	for i := 1; i < len(m.Reports); i++ {
		if a, b := m.Reports[i-1], m.Reports[i]; a.Role == b.Role && a.ID == b.ID {
			return Manifest{}, fmt.Errorf("manifest lists report %s/%s twice", a.Role, a.ID)
		}
	}
	m.Files = slices.Clone(m.Files)
	if m.Files == nil {
		m.Files = []FileEntry{}
	}
	return m, nil
}

// encode returns the manifest as indented JSON with a final newline. The
// output depends only on m, so equal manifests give equal bytes.
func (m Manifest) encode() ([]byte, error) {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encoding manifest: %w", err)
	}
	return append(b, '\n'), nil
}

// decodeManifest parses manifest.json strictly (unknown fields are errors)
// and checks that its file list is well formed.
func decodeManifest(b []byte) (Manifest, error) {
	var m Manifest
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return Manifest{}, fmt.Errorf("%s: %w", ManifestName, err)
	}
	if dec.More() {
		return Manifest{}, fmt.Errorf("%s: data after the JSON object", ManifestName)
	}
	if m.Format != FormatVersion {
		return Manifest{}, fmt.Errorf("%s: format %d is not supported (this carport reads %d)", ManifestName, m.Format, FormatVersion)
	}
	for i, f := range m.Files {
		if err := checkName(f.Path); err != nil {
			return Manifest{}, fmt.Errorf("%s: files[%d]: %w", ManifestName, i, err)
		}
		if f.Path == ManifestName || f.Path == SignatureName {
			return Manifest{}, fmt.Errorf("%s: files[%d]: lists %s", ManifestName, i, f.Path)
		}
		if i > 0 && m.Files[i-1].Path >= f.Path {
			return Manifest{}, fmt.Errorf("%s: files[%d]: %s is out of order or repeated", ManifestName, i, f.Path)
		}
		if f.Size < 0 {
			return Manifest{}, fmt.Errorf("%s: %s: negative size %d", ManifestName, f.Path, f.Size)
		}
		if d, err := hex.DecodeString(f.SHA256); err != nil || len(d) != 32 || hex.EncodeToString(d) != f.SHA256 {
			return Manifest{}, fmt.Errorf("%s: %s: sha256 %q is not 64 lowercase hex digits", ManifestName, f.Path, f.SHA256)
		}
	}
	return m, nil
}
