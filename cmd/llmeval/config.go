package main

import (
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"

	"go.opentelemetry.io/collector/confmap"
	"go.yaml.in/yaml/v3"

	llmevalprocessor "github.com/otelcol-llmeval/otelcol-llmeval/processor"
)

var envRef = regexp.MustCompile(`\$\{(?:env:)?([A-Za-z_][A-Za-z0-9_]*)\}`)

// loadConfig reads the processor config from a collector config (the
// `processors` entry named id, or the only llmeval one) or from a bare
// processor config, and validates it exactly as the collector does.
// ${env:NAME} and ${NAME} are expanded from the environment.
func loadConfig(path, id string) (*llmevalprocessor.Config, string, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, "", err
	}
	text := envRef.ReplaceAllStringFunc(string(raw), func(m string) string {
		return os.Getenv(envRef.FindStringSubmatch(m)[1])
	})
	var doc map[string]any
	if err := yaml.Unmarshal([]byte(text), &doc); err != nil {
		return nil, "", fmt.Errorf("%s: %w", path, err)
	}
	section, name := doc, "llmeval"
	if procs, ok := doc["processors"].(map[string]any); ok {
		if name, err = pickProcessor(procs, id); err != nil {
			return nil, "", fmt.Errorf("%s: %w", path, err)
		}
		section, _ = procs[name].(map[string]any)
	}
	cfg := llmevalprocessor.NewFactory().CreateDefaultConfig().(*llmevalprocessor.Config)
	if err := confmap.NewFromStringMap(section).Unmarshal(cfg); err != nil {
		return nil, "", fmt.Errorf("%s: processors::%s: %w", path, name, err)
	}
	if err := confmap.Validate(cfg); err != nil {
		return nil, "", fmt.Errorf("%s: processors::%s: %w", path, name, err)
	}
	return cfg, name, nil
}

func pickProcessor(procs map[string]any, id string) (string, error) {
	if id != "" {
		if _, ok := procs[id]; !ok {
			return "", fmt.Errorf("no processor %q", id)
		}
		return id, nil
	}
	var found []string
	for k := range procs {
		if k == "llmeval" || strings.HasPrefix(k, "llmeval/") {
			found = append(found, k)
		}
	}
	sort.Strings(found)
	switch len(found) {
	case 0:
		return "", fmt.Errorf("no llmeval processor in processors")
	case 1:
		return found[0], nil
	}
	return "", fmt.Errorf("several llmeval processors (%s): choose one with --processor", strings.Join(found, ", "))
}
