package seed

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"go.yaml.in/yaml/v3"
)

// Defaults are the account and Region of a seed that names none.
type Defaults struct {
	Account string
	Region  string
}

// Load reads and parses the seed file at path.
func Load(path string, d Defaults) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err // names the path
	}
	defer clear(data)
	return Parse(path, data, d)
}

// Parse parses a seed file's contents; path names it in errors. The format
// is told by the top-level fields: local-kms files have Keys or Aliases,
// capitalised; Trent's fields are lower case.
func Parse(path string, data []byte, d Defaults) (*File, error) {
	r := reader{file: path}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: the seed file is empty", path)
		}
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	var second yaml.Node
	if err := dec.Decode(&second); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: a seed file holds one YAML document", path)
	}
	if len(doc.Content) == 0 || isNull(doc.Content[0]) {
		return nil, fmt.Errorf("%s: the seed file is empty", path)
	}
	top := resolve(doc.Content[0])
	if top.Kind != yaml.MappingNode {
		return nil, r.errorf(top, "a seed file is a mapping (Trent's accounts/keys, or local-kms's Keys/Aliases)")
	}
	f := &File{Path: path}
	var err error
	if isLocalKMS(top) {
		f.Format = FormatLocalKMS
		f.Sets, err = r.localKMS(top, d)
	} else {
		f.Format = FormatTrent
		f.Sets, err = r.trent(top, d)
	}
	if err != nil {
		f.Wipe()
		return nil, err
	}
	return f, nil
}

// isLocalKMS reports whether a top-level mapping is in local-kms's format.
func isLocalKMS(top *yaml.Node) bool {
	for i := 0; i+1 < len(top.Content); i += 2 {
		switch top.Content[i].Value {
		case "Keys", "Aliases":
			return true
		}
	}
	return false
}
