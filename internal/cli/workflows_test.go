package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
)

// The CI workflows (.github/workflows) call only Makefile targets and
// carport commands, so that every step can be run by hand. These tests
// hold them to it: both files parse, every make target they run exists,
// every carport command those targets (or the workflows) run exists with
// the flags given, actions are pinned to commits, and secrets reach a
// step only through its environment.

type workflow struct {
	Name string         `yaml:"name"`
	On   map[string]any `yaml:"on"`
	Jobs map[string]job `yaml:"jobs"`
}

type job struct {
	RunsOn      any               `yaml:"runs-on"`
	Container   any               `yaml:"container"`
	Permissions map[string]string `yaml:"permissions"`
	Steps       []step            `yaml:"steps"`
}

type step struct {
	Name string            `yaml:"name"`
	ID   string            `yaml:"id"`
	If   string            `yaml:"if"`
	Uses string            `yaml:"uses"`
	Run  string            `yaml:"run"`
	With map[string]any    `yaml:"with"`
	Env  map[string]string `yaml:"env"`
}

const repoRoot = "../.."

func readWorkflow(t *testing.T, name string) (workflow, string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot, ".github", "workflows", name))
	if err != nil {
		t.Fatal(err)
	}
	var w workflow
	if err := yaml.Unmarshal(b, &w); err != nil {
		t.Fatalf("%s does not parse as YAML: %v", name, err)
	}
	if len(w.Jobs) == 0 {
		t.Fatalf("%s has no jobs", name)
	}
	return w, string(b)
}

// makefile is the rules of the repository's Makefile: each target's
// prerequisites and recipe lines (continuations joined).
type makefile map[string]struct {
	prereqs []string
	recipe  []string
}

func readMakefile(t *testing.T) makefile {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot, "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	text := strings.ReplaceAll(string(b), "\\\n", " ")
	rule := regexp.MustCompile(`^([A-Za-z0-9_.-]+)\s*:([^=].*)?$`)
	mf := makefile{}
	cur := ""
	for _, line := range strings.Split(text, "\n") {
		switch {
		case strings.HasPrefix(line, "\t") && cur != "":
			r := mf[cur]
			r.recipe = append(r.recipe, strings.TrimSpace(line))
			mf[cur] = r
		case rule.MatchString(line):
			m := rule.FindStringSubmatch(line)
			cur = m[1]
			r := mf[cur]
			if i := strings.Index(m[2], "#"); i >= 0 {
				m[2] = m[2][:i]
			}
			r.prereqs = append(r.prereqs, strings.Fields(m[2])...)
			mf[cur] = r
		default:
			cur = ""
		}
	}
	return mf
}

// carportCalls returns the carport invocations in a shell text: the
// arguments after "./$(BIN)", "./bin/carport" or "carport".
func carportCalls(text string) [][]string {
	var out [][]string
	re := regexp.MustCompile(`(?:\./\$\(BIN\)|\./bin/carport|(?:^|[\s;(&|])carport)\s+([^;|&\n]*)`)
	for _, m := range re.FindAllStringSubmatch(text, -1) {
		out = append(out, strings.Fields(m[1]))
	}
	return out
}

var makeCall = regexp.MustCompile(`^make\s+(.*)$`)

// checkCarportCall runs `carport WORDS -h` and checks that it exists and
// knows every --flag the call gives.
func checkCarportCall(t *testing.T, where string, args []string) {
	t.Helper()
	var words []string
	for _, a := range args {
		if !regexp.MustCompile(`^[a-z][a-z-]*$`).MatchString(a) {
			break
		}
		words = append(words, a)
	}
	if len(words) == 0 {
		t.Errorf("%s: carport called without a command: %v", where, args)
		return
	}
	var stdout, stderr bytes.Buffer
	if code := Run(append(slices.Clone(words), "-h"), nil, &stdout, &stderr); code != ExitOK {
		t.Errorf("%s: carport %s is not a command (exit %d): %s", where, strings.Join(words, " "), code, stderr.String())
		return
	}
	help := stdout.String() + stderr.String()
	for _, a := range args[len(words):] {
		if !strings.HasPrefix(a, "-") {
			continue
		}
		name := strings.TrimLeft(strings.SplitN(a, "=", 2)[0], "-")
		if !regexp.MustCompile(`(?m)^\s+-` + regexp.QuoteMeta(name) + `(\s|$)`).MatchString(help) {
			t.Errorf("%s: carport %s has no flag --%s", where, strings.Join(words, " "), name)
		}
	}
}

func TestWorkflowsCallOnlyMakeTargetsAndCarport(t *testing.T) {
	mf := readMakefile(t)
	for _, name := range []string{"pr.yml", "monthly.yml"} {
		t.Run(name, func(t *testing.T) {
			w, raw := readWorkflow(t, name)
			targets := map[string]bool{}
			runs := 0
			for jn, j := range w.Jobs {
				for i, s := range j.Steps {
					where := name + ": job " + jn + ", step " + strings.TrimSpace(s.Name+" "+s.Uses)
					if (s.Run == "") == (s.Uses == "") {
						t.Errorf("%s (#%d): a step has exactly one of run and uses", where, i+1)
					}
					if s.Uses != "" && !regexp.MustCompile(`^[\w.-]+/[\w.-]+@[0-9a-f]{40}$`).MatchString(s.Uses) {
						t.Errorf("%s: %q is not pinned to a commit", where, s.Uses)
					}
					if strings.Contains(s.Run, "${{") {
						t.Errorf("%s: run interpolates an expression (%q): pass it through env", where, s.Run)
					}
					for k, v := range s.With {
						if str, ok := v.(string); ok && strings.Contains(str, "secrets.") {
							t.Errorf("%s: with.%s reads a secret: secrets go through env only", where, k)
						}
					}
					for _, line := range strings.Split(strings.TrimSpace(s.Run), "\n") {
						line = strings.TrimSpace(line)
						if line == "" {
							continue
						}
						runs++
						switch m := makeCall.FindStringSubmatch(line); {
						case m != nil:
							for _, f := range strings.Fields(m[1]) {
								if !strings.Contains(f, "=") && !strings.HasPrefix(f, "-") {
									targets[f] = true
								}
							}
						case len(carportCalls(line)) == 1 && regexp.MustCompile(`^(\./bin/)?carport\s`).MatchString(line):
							checkCarportCall(t, where, carportCalls(line)[0])
						default:
							t.Errorf("%s: %q is neither a make target nor a carport command", where, line)
						}
					}
				}
			}
			if runs == 0 || len(targets) == 0 {
				t.Fatalf("%s runs no make target", name)
			}
			// every target run, and everything it depends on, exists; the
			// carport commands of their recipes exist with their flags
			seen := map[string]bool{}
			var visit func(target, from string)
			visit = func(target, from string) {
				if seen[target] || strings.Contains(target, "$") || strings.Contains(target, "/") {
					return // a file target (node_modules/…), not a rule of ours
				}
				seen[target] = true
				r, ok := mf[target]
				if !ok {
					t.Errorf("%s: make %s: no such target in the Makefile (from %s)", name, target, from)
					return
				}
				for _, line := range r.recipe {
					for _, c := range carportCalls(line) {
						checkCarportCall(t, "Makefile target "+target, c)
					}
				}
				for _, p := range r.prereqs {
					visit(p, target)
				}
			}
			for tg := range targets {
				visit(tg, name)
			}
			// secrets only from the secret store, as step environment
			for _, m := range regexp.MustCompile(`\$\{\{\s*secrets\.(\w+)\s*\}\}`).FindAllStringSubmatch(raw, -1) {
				if m[1] == "GITHUB_TOKEN" {
					continue
				}
				if !regexp.MustCompile(`(?m)^\s+` + m[1] + `: \$\{\{ secrets\.` + m[1] + ` \}\}$`).MatchString(raw) {
					t.Errorf("%s: secret %s is not passed as the step environment variable of its own name", name, m[1])
				}
			}
		})
	}
}

// TestWorkflowsDoWhatTheIssueAsks pins the shape of each workflow: when it
// runs and what it must include.
func TestWorkflowsDoWhatTheIssueAsks(t *testing.T) {
	pr, prRaw := readWorkflow(t, "pr.yml")
	if _, ok := pr.On["pull_request"]; !ok {
		t.Error("pr.yml does not run on pull requests")
	}
	for _, want := range []string{"make ci-test", "make ci-preview", "actions/upload-artifact@", "updateComment", "createComment", "artifact-url", "fetch-depth: 0"} {
		if !strings.Contains(prRaw, want) {
			t.Errorf("pr.yml lacks %q", want)
		}
	}
	mo, moRaw := readWorkflow(t, "monthly.yml")
	sched, _ := mo.On["schedule"].([]any)
	if len(sched) == 0 {
		t.Error("monthly.yml has no schedule")
	}
	wd, _ := mo.On["workflow_dispatch"].(map[string]any)
	inputs, _ := wd["inputs"].(map[string]any)
	if _, ok := inputs["period"]; !ok {
		t.Error("monthly.yml cannot be run by hand with a period")
	}
	for _, want := range []string{"make monthly-fetch", "make monthly-check", "make monthly-build", "make monthly-report", "make monthly-publish",
		"CARPORT_SIGNING_KEY: ${{ secrets.CARPORT_SIGNING_KEY }}", "actions/upload-artifact@", "if: failure()"} {
		if !strings.Contains(moRaw, want) {
			t.Errorf("monthly.yml lacks %q", want)
		}
	}
	// the build step gets the signing key and nothing else secret
	for _, j := range mo.Jobs {
		for _, s := range j.Steps {
			if strings.Contains(s.Run, "monthly-build") && s.Env["CARPORT_SIGNING_KEY"] == "" {
				t.Error("monthly.yml: the build step has no CARPORT_SIGNING_KEY")
			}
		}
	}
}
