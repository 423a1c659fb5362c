package reportdef

// Documents (DCC-38) are files a report designer places beside the sites'
// authored pages, in content/documents/, for the parties of some roles
// only. documents.toml describes every file: a file it does not list is
// an error rather than silently shipped to nobody, and a listed file must
// be there, be a PDF or a CSV, and have a name that is safe as a path.

import (
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/dcc/carport/internal/contract"
)

// DocumentsFile is the file in the documents folder that describes the others.
const DocumentsFile = "documents.toml"

// Document is one file of the documents folder and who may see it.
type Document struct {
	File        string // base name in the documents folder
	Title       string
	Description string // Markdown
	Roles       []contract.Role
	Size        int64 // bytes
}

type rawDocuments struct {
	SchemaVersion int `toml:"schema_version"`
	Document      []struct {
		File        string   `toml:"file"`
		Title       string   `toml:"title"`
		Description string   `toml:"description"`
		Roles       []string `toml:"roles"`
	} `toml:"document"`
}

var documentName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,99}\.(pdf|csv)$`)

// LoadDocuments reads documents.toml in fsys (the documents folder; name
// prefixes file names in messages) and checks every file it lists and
// every file it does not. A folder without documents.toml and without
// other files holds no documents.
func LoadDocuments(fsys fs.FS, name string) ([]Document, error) {
	ents, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	d := &decoder{file: path.Join(name, DocumentsFile)}
	src, err := fs.ReadFile(fsys, DocumentsFile)
	if err != nil {
		if len(ents) == 0 {
			return nil, nil
		}
		return nil, Problems{{File: d.file, Msg: "cannot read: " + strings.TrimPrefix(err.Error(), "open "+DocumentsFile+": "),
			Hint: "describe every file of the folder in " + DocumentsFile}}
	}
	var r rawDocuments
	var out []Document
	if d.decode(string(src), &r) {
		d.checkSchema(r.SchemaVersion)
		listed := map[string]bool{}
		for i, x := range r.Document {
			key := fmt.Sprintf("document.%d.", i)
			doc := Document{File: x.File, Title: strings.TrimSpace(x.Title), Description: strings.TrimSpace(x.Description)}
			switch {
			case !documentName.MatchString(x.File):
				d.addf(key+"file", "file %q must be a plain file name ending in .pdf or .csv (letters, digits, . _ -)", x.File)
			case listed[x.File]:
				d.addf(key+"file", "file %q is listed twice", x.File)
			default:
				listed[x.File] = true
				if fi, err := fs.Stat(fsys, x.File); err != nil || !fi.Mode().IsRegular() {
					d.addf(key+"file", "file %q is not in %s", x.File, name)
				} else {
					doc.Size = fi.Size()
					if strings.HasSuffix(x.File, ".pdf") && !isPDF(fsys, x.File) {
						d.addf(key+"file", "file %q does not start like a PDF (%%PDF-)", x.File)
					}
				}
			}
			if doc.Title == "" {
				d.addf(key+"title", "title is required")
			}
			if len(x.Roles) == 0 {
				d.addf(key+"roles", "roles must list the user roles whose sites show the document")
			}
			doc.Roles = parseRoles(d, key+"roles", x.Roles)
			out = append(out, doc)
		}
		for _, e := range ents {
			n := e.Name()
			if n == DocumentsFile || listed[n] {
				continue
			}
			d.problems = append(d.problems, Problem{File: path.Join(name, n), Msg: "not listed in " + DocumentsFile + ": only described documents reach a site"})
		}
	}
	if len(d.problems) > 0 {
		d.problems.sort()
		return nil, d.problems
	}
	slices.SortStableFunc(out, func(a, b Document) int { return strings.Compare(a.Title, b.Title) })
	return out, nil
}

func isPDF(fsys fs.FS, name string) bool {
	f, err := fsys.Open(name)
	if err != nil {
		return false
	}
	defer f.Close()
	b := make([]byte, 5)
	n, _ := f.Read(b)
	return string(b[:n]) == "%PDF-"
}
