package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// The config file (--config, TRENT_CONFIG) is a YAML mapping of setting
// names to values:
//
//	listen: 0.0.0.0:4599
//	data-dir: /var/lib/trent
//	cache-keys: 100000
//
// It is read strictly, because a setting that is silently ignored (a typo
// in a key, "yes" where a boolean was meant) is found only when it matters:
// an unknown key, a value of the wrong YAML type, a key given twice or a
// second document is an error naming the file and line.
//
// A relative path in the file is relative to the file's directory, not to
// the working directory: the file is usually named from elsewhere (a
// systemd unit, a container's command line), and what it means should not
// depend on where the server was started. Paths given as flags or
// variables stay relative to the working directory, as a shell user
// expects. Prometheus resolves the paths in its config the same way.

// configFile is a config file that has been read and checked for keys and
// structure; its values are checked as they are applied.
type configFile struct {
	path   string
	values []configValue // in the order of the file
}

// configValue is one key of the file.
type configValue struct {
	setting *setting
	node    *yaml.Node
	line    int // of the key
}

// readConfigFile reads and parses path; source says how the user named it,
// for the error when it cannot be read.
func readConfigFile(path, source string, settings []setting) (*configFile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		var pathErr *fs.PathError
		if errors.As(err, &pathErr) {
			err = pathErr.Err // the path is in source already
		}
		return nil, fmt.Errorf("%s: cannot read the config file: %v", source, err)
	}
	root, err := parseOneYAMLDocument(path, data)
	if err != nil || root == nil {
		return &configFile{path: path}, err
	}
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s:%d: the config file must be a mapping of setting names to values, such as \"data-dir: /var/lib/trent\"", path, root.Line)
	}
	cfg := &configFile{path: path}
	seen := map[string]int{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		key, value := root.Content[i], root.Content[i+1]
		if value.Kind == yaml.AliasNode {
			value = value.Alias
		}
		s, err := fileSetting(key, settings)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, key.Line, err)
		}
		if first, dup := seen[s.name]; dup {
			return nil, fmt.Errorf("%s:%d: %s is set twice (first on line %d)", path, key.Line, s.name, first)
		}
		seen[s.name] = key.Line
		cfg.values = append(cfg.values, configValue{setting: s, node: value, line: key.Line})
	}
	return cfg, nil
}

// parseOneYAMLDocument returns the root node of the file's only document,
// or nil for a file with none (empty, or only comments).
func parseOneYAMLDocument(path string, data []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("%s: not valid YAML: %s", path, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	var next yaml.Node
	if err := dec.Decode(&next); err == nil {
		return nil, fmt.Errorf("%s:%d: a second YAML document; the config file holds one mapping", path, next.Line)
	} else if !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: not valid YAML: %s", path, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	root := doc.Content[0]
	if root.Kind == yaml.ScalarNode && root.ShortTag() == "!!null" {
		return nil, nil
	}
	return root, nil
}

// fileSetting is the setting a key names.
func fileSetting(key *yaml.Node, settings []setting) (*setting, error) {
	if key.Kind != yaml.ScalarNode {
		return nil, errors.New("a setting name must be plain text")
	}
	for i := range settings {
		s := &settings[i]
		if s.name != key.Value {
			continue
		}
		if s.notInFile {
			return nil, fmt.Errorf("%s cannot be set in a config file (give it as --%s or %s)", s.name, s.name, s.env)
		}
		return s, nil
	}
	if near := closestSetting(key.Value, settings); near != "" {
		return nil, fmt.Errorf("unknown setting %q; did you mean %q?", key.Value, near)
	}
	var names []string
	for _, s := range settings {
		if !s.notInFile {
			names = append(names, s.name)
		}
	}
	return nil, fmt.Errorf("unknown setting %q; the settings are %s", key.Value, strings.Join(names, ", "))
}

// applyTo checks every value of the file and stores it in f.
func (c *configFile) applyTo(f *serveFlags) error {
	for _, v := range c.values {
		shown, text, err := yamlValueText(v.setting.kind, v.node)
		if err == nil {
			if v.setting.kind == kindPath && text != "" && !filepath.IsAbs(text) {
				text = filepath.Join(filepath.Dir(c.path), text)
			}
			err = v.setting.apply(f, text)
		}
		if err != nil {
			return fmt.Errorf("%s:%d: %s: %s%w", c.path, v.line, v.setting.name, shown, err)
		}
	}
	return nil
}

// yamlValueText checks that node has the YAML type kind asks for and
// returns its value as a flag would give it, and how to show the value as
// written (followed by a space) in a message.
func yamlValueText(kind settingKind, node *yaml.Node) (shown, text string, err error) {
	switch node.Kind {
	case yaml.MappingNode:
		return "", "", errors.New("is a mapping: give a single value")
	case yaml.SequenceNode:
		return "", "", errors.New("is a list: give a single value")
	}
	tag := node.ShortTag()
	if tag == "!!null" {
		return "", "", errors.New("has no value: give one, or remove the line to use the default")
	}
	shown = node.Value + " "
	if tag == "!!str" {
		shown = strconv.Quote(node.Value) + " "
	}
	switch kind {
	case kindBool:
		var b bool
		if tag != "!!bool" || node.Decode(&b) != nil {
			return shown, "", notA("a boolean", "write true or false, without quotes")
		}
		return shown, strconv.FormatBool(b), nil
	case kindNumber:
		var n int64
		if tag != "!!int" || node.Decode(&n) != nil {
			return shown, "", notA("a whole number", "write one without quotes, such as 1000")
		}
		return shown, strconv.FormatInt(n, 10), nil
	case kindDuration:
		if tag == "!!int" || tag == "!!float" {
			return shown, "", errors.New("is a number, not a duration: write the unit too, such as 1s or 200ms")
		}
	}
	if tag != "!!str" {
		// An account ID such as 000011112222 read as a number would lose
		// its leading zeros; a quoted value is taken as written.
		return shown, "", fmt.Errorf("is not text (YAML reads it as %s): put it in quotes, %q, to mean the text as written", yamlTypeName(tag), node.Value)
	}
	return shown, node.Value, nil
}

// yamlTypeName names a YAML tag for a message.
func yamlTypeName(tag string) string {
	switch tag {
	case "!!int", "!!float":
		return "a number"
	case "!!bool":
		return "a boolean"
	case "!!timestamp":
		return "a time"
	}
	return tag
}

// closestSetting is the setting a mistyped key most likely meant: the same
// name written as a variable (TRENT_DATA_DIR), with underscores or in
// camel case (dataDir), or one or two letters off; "" if none is close.
func closestSetting(key string, settings []setting) string {
	squash := func(s string) string {
		s = strings.TrimPrefix(strings.ToLower(s), "trent_")
		return strings.NewReplacer("-", "", "_", "", ".", "").Replace(s)
	}
	best, bestDistance := "", 3
	for _, s := range settings {
		if s.notInFile {
			continue
		}
		if squash(key) == squash(s.name) {
			return s.name
		}
		if d := editDistance(key, s.name); d < bestDistance {
			best, bestDistance = s.name, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
