// Package mdenums reads the attribute enums of a component's metadata.yaml,
// so tests can hold the generated docs to the lists the code uses.
package mdenums

import (
	"os"

	"go.yaml.in/yaml/v3"
)

// Read returns each attribute's enum values from the metadata.yaml at path.
func Read(path string) (map[string][]string, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var md struct {
		Attributes map[string]struct {
			Enum []string `yaml:"enum"`
		} `yaml:"attributes"`
	}
	if err := yaml.Unmarshal(raw, &md); err != nil {
		return nil, err
	}
	out := make(map[string][]string, len(md.Attributes))
	for name, a := range md.Attributes {
		out[name] = a.Enum
	}
	return out, nil
}
