package e2e

import (
	"encoding/json"
	"fmt"
	"path"
	"path/filepath"
	"strings"
	"testing"
)

// A reader of the repository's Dockerfile, for dockerfile_test.go, which
// carries the file out without a Docker daemon. It knows the instructions
// the Dockerfile uses, in the forms it uses them, and refuses anything
// else: a test that skipped an instruction it did not understand would
// vouch for an image it never modelled.

// dockerInstruction is one instruction, continuation lines joined.
type dockerInstruction struct {
	cmd  string // FROM, RUN, ... in capitals
	args string // the rest, as written
	line int    // where it starts
}

// dockerStage is a FROM and the instructions up to the next one.
type dockerStage struct {
	base, name   string
	instructions []dockerInstruction
}

// knownInstructions are the instructions this reader models.
var knownInstructions = map[string]bool{
	"FROM": true, "WORKDIR": true, "COPY": true, "RUN": true, "ARG": true, "ENV": true,
	"USER": true, "VOLUME": true, "EXPOSE": true, "ENTRYPOINT": true, "CMD": true,
}

// parseDockerfile splits text into stages.
func parseDockerfile(text string) ([]*dockerStage, error) {
	var stages []*dockerStage
	lines := strings.Split(text, "\n")
	for i := 0; i < len(lines); i++ {
		line := strings.TrimSpace(lines[i])
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		start := i + 1
		// A trailing backslash continues the instruction; comment lines
		// inside it are dropped, as Docker drops them.
		for strings.HasSuffix(line, `\`) && i+1 < len(lines) {
			i++
			next := strings.TrimSpace(lines[i])
			if strings.HasPrefix(next, "#") {
				next = `\`
			}
			line = strings.TrimSuffix(line, `\`) + " " + next
		}
		cmd, args, _ := strings.Cut(line, " ")
		cmd = strings.ToUpper(cmd)
		if !knownInstructions[cmd] {
			return nil, fmt.Errorf("line %d: %s is not an instruction this test models", start, cmd)
		}
		ins := dockerInstruction{cmd: cmd, args: strings.TrimSpace(args), line: start}
		if cmd == "FROM" {
			words := strings.Fields(ins.args)
			st := &dockerStage{base: words[0]}
			if len(words) == 3 && strings.EqualFold(words[1], "AS") {
				st.name = words[2]
			} else if len(words) != 1 {
				return nil, fmt.Errorf("line %d: FROM %s: want FROM image [AS name]", start, ins.args)
			}
			stages = append(stages, st)
			continue
		}
		if len(stages) == 0 {
			return nil, fmt.Errorf("line %d: %s before FROM", start, cmd)
		}
		stages[len(stages)-1].instructions = append(stages[len(stages)-1].instructions, ins)
	}
	return stages, nil
}

// copyArgs splits a COPY into its flags (--from, --chown), its sources and
// its destination.
func (ins dockerInstruction) copyArgs() (flags map[string]string, srcs []string, dst string, err error) {
	flags = map[string]string{}
	words := strings.Fields(ins.args)
	for len(words) > 0 && strings.HasPrefix(words[0], "--") {
		name, value, ok := strings.Cut(strings.TrimPrefix(words[0], "--"), "=")
		if !ok || (name != "from" && name != "chown") {
			return nil, nil, "", fmt.Errorf("line %d: COPY flag %s is not modelled", ins.line, words[0])
		}
		flags[name] = value
		words = words[1:]
	}
	if len(words) < 2 || strings.HasPrefix(ins.args, "[") {
		return nil, nil, "", fmt.Errorf("line %d: want COPY [--from=...] [--chown=...] src... dst", ins.line)
	}
	return flags, words[:len(words)-1], words[len(words)-1], nil
}

// envPairs reads ENV NAME=value NAME2=value2 (values without spaces or
// quotes; the older "ENV NAME value" form is refused).
func (ins dockerInstruction) envPairs() ([]string, error) {
	var pairs []string
	for _, w := range strings.Fields(ins.args) {
		if !strings.Contains(w, "=") || strings.ContainsAny(w, `"'$`) {
			return nil, fmt.Errorf("line %d: ENV %s: want NAME=value pairs without quotes or variables", ins.line, ins.args)
		}
		pairs = append(pairs, w)
	}
	return pairs, nil
}

// execForm reads the JSON array of ENTRYPOINT or CMD; the shell form would
// need a shell, which the final image does not have.
func (ins dockerInstruction) execForm() ([]string, error) {
	var argv []string
	if err := json.Unmarshal([]byte(ins.args), &argv); err != nil {
		return nil, fmt.Errorf("line %d: %s %s: want the exec form, a JSON array: %v", ins.line, ins.cmd, ins.args, err)
	}
	return argv, nil
}

// dockerignore holds the patterns of a .dockerignore: plain paths and
// globs relative to the context's root, and **/ for any depth; a pattern
// that matches a directory excludes all of it. Negation (!) is refused.
type dockerignore []string

func parseDockerignore(text string) (dockerignore, error) {
	var patterns dockerignore
	for line := range strings.Lines(text) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasPrefix(line, "!") {
			return nil, fmt.Errorf(".dockerignore: negated pattern %s is not modelled", line)
		}
		patterns = append(patterns, path.Clean(strings.TrimPrefix(line, "/")))
	}
	return patterns, nil
}

// excludes reports whether rel (slash-separated, relative to the context)
// or a directory above it matches a pattern.
func (d dockerignore) excludes(rel string) bool {
	parts := strings.Split(rel, "/")
	for n := 1; n <= len(parts); n++ {
		prefix := strings.Join(parts[:n], "/")
		for _, p := range d {
			if rest, ok := strings.CutPrefix(p, "**/"); ok {
				// Any depth: match the pattern against every tail.
				for i := 0; i < n; i++ {
					if m, _ := path.Match(rest, strings.Join(parts[i:n], "/")); m {
						return true
					}
				}
			} else if m, _ := path.Match(p, prefix); m {
				return true
			}
		}
	}
	return false
}

// TestDockerignoreMatching: the patterns mean what Docker makes of them,
// and the repository's .dockerignore leaves the sources in and git out.
func TestDockerignoreMatching(t *testing.T) {
	d, err := parseDockerignore("# c\n.git\ntrent\n/out\n**/*.test\n**/node_modules\n")
	if err != nil {
		t.Fatal(err)
	}
	for rel, want := range map[string]bool{
		".git": true, ".git/config": true, "trent": true, "out/trent": true,
		"cmd/trent": false, "cmd/trent/main.go": false, "internal/e2e/e2e.test": true, "e2e.test": true,
		"internal/e2e/interop_node/node_modules/x/index.js": true, "go.mod": false, "internal/out": false,
	} {
		if got := d.excludes(rel); got != want {
			t.Errorf("%s: excluded %v, want %v", rel, got, want)
		}
	}
	repo, err := parseDockerignore(readFile(t, filepath.Join(dockerContextRoot(t), ".dockerignore")))
	if err != nil {
		t.Fatal(err)
	}
	for rel, want := range map[string]bool{".git": true, "go.mod": false, "go.sum": false, "cmd/trent/main.go": false, "internal/version/version.go": false} {
		if got := repo.excludes(rel); got != want {
			t.Errorf(".dockerignore: %s excluded %v, want %v", rel, got, want)
		}
	}
}
