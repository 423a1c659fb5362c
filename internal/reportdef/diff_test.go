package reportdef

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// single is goodDef without a matrix, under another id.
func single(t *testing.T, id string) string {
	t.Helper()
	return strings.NewReplacer(`id = "demo"`, `id = "`+id+`"`,
		"[matrix]\nover = \"srv\"\nvalues = [\"4.1.1\", \"8.2\"]\n", "", "only = [\"8.2\"]\n", "").Replace(goodDef)
}

// bump moves src to version v with a changelog entry for it.
func bump(src, v string) string {
	return strings.Replace(src, `version = "1.2.0"`, `version = "`+v+`"`, 1) +
		fmt.Sprintf("\n[[changelog]]\nversion = %q\ndate = 2026-12-01\nnote = \"Bumped to %s.\"\n", v, v)
}

func mustLoad(t *testing.T, files map[string]string) *Suite {
	t.Helper()
	s, err := loadWith(t, files)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestCheckBumps(t *testing.T) {
	base := mustLoad(t, map[string]string{"demo.toml": goodDef, "keep.toml": single(t, "keep")})
	retitled := strings.Replace(goodDef, `title = "League"`, `title = "League table"`, 1)
	tests := []struct {
		name string
		head map[string]string
		want string
	}{
		{"unchanged", map[string]string{"demo.toml": goodDef, "keep.toml": single(t, "keep")}, ""},
		{"changed without a bump",
			map[string]string{"demo.toml": retitled, "keep.toml": single(t, "keep")},
			`reportdefs/demo.toml:3: key "version": content changed since main but version is still 1.2.0 (bump it and add a changelog entry)`},
		{"a comment is a change too",
			map[string]string{"demo.toml": "# reviewed\n" + goodDef, "keep.toml": single(t, "keep")},
			`reportdefs/demo.toml:4: key "version": content changed since main but version is still 1.2.0 (bump it and add a changelog entry)`},
		{"changed with a bump", map[string]string{"demo.toml": bump(retitled, "1.3.0"), "keep.toml": single(t, "keep")}, ""},
		{"version went backwards",
			map[string]string{"demo.toml": strings.Replace(strings.Replace(goodDef, `version = "1.2.0"`, `version = "1.1.0"`, 1),
				`version = "1.2.0"`, `version = "1.1.0"`, 1), "keep.toml": single(t, "keep")},
			`reportdefs/demo.toml:3: key "version": version went backwards since main: 1.1.0 is older than 1.2.0 (versions only go up)`},
		{"removed and renamed files are no problem",
			map[string]string{"renamed.toml": goodDef}, ""},
		{"two problems at once",
			map[string]string{"demo.toml": retitled, "keep.toml": "\n" + single(t, "keep")},
			`reportdefs/demo.toml:3: key "version": content changed since main but version is still 1.2.0 (bump it and add a changelog entry)` + "\n" +
				`reportdefs/keep.toml:4: key "version": content changed since main but version is still 1.2.0 (bump it and add a changelog entry)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			head := mustLoad(t, tt.head)
			got := filepath.ToSlash(CheckBumps(base, head, "main").Error())
			if got != tt.want {
				t.Errorf("CheckBumps:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

func TestDiff(t *testing.T) {
	base := mustLoad(t, map[string]string{
		"demo.toml":  goodDef,
		"keep.toml":  single(t, "keep"),
		"gone.toml":  single(t, "gone"),
		"old.toml":   single(t, "old"),
		"draft.toml": strings.Replace(single(t, "draft"), `status = "published"`, `status = "draft"`, 1),
	})
	widened := strings.Replace(goodDef, `values = ["4.1.1", "8.2"]`, `values = ["4.1.1", "8.2", "8.14.1"]`, 1)
	head := mustLoad(t, map[string]string{
		"demo.toml":  bump(widened, "1.3.0"),
		"keep.toml":  single(t, "keep"),
		"old.toml":   bump(strings.Replace(single(t, "old"), `status = "published"`, `status = "archived"`, 1), "2.0.0"),
		"new.toml":   strings.Replace(single(t, "new"), `audience = ["IS", "GS"]`, `audience = ["ED"]`, 1),
		"draft.toml": bump(strings.Replace(single(t, "draft"), `status = "published"`, `status = "draft"`, 1), "1.2.1"),
	})
	var got []string
	for _, d := range Diff(base, head) {
		line := fmt.Sprintf("%s %s content=%v status=%v roles=%v +%v -%v", d.ID, d.Kind, d.Content, d.StatusChanged(), d.Roles, d.InstancesAdded, d.InstancesRemoved)
		for _, c := range d.NewChanges() {
			line += fmt.Sprintf(" [%s %s]", c.Version, c.Note)
		}
		got = append(got, line)
	}
	want := []string{
		"demo changed content=true status=false roles=[IS GS] +[demo-8.14.1] -[] [1.3.0 Bumped to 1.3.0.]",
		"draft changed content=true status=false roles=[] +[] -[] [1.2.1 Bumped to 1.2.1.]",
		"gone removed content=true status=false roles=[IS GS] +[] -[gone]",
		"new added content=true status=false roles=[ED] +[new] -[] [1.0.0 First version.] [1.2.0 Failures view.]",
		"old changed content=true status=true roles=[IS GS] +[] -[] [2.0.0 Bumped to 2.0.0.]",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Diff:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
