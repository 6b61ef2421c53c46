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

// envRef is ${env:NAME}, ${NAME} or ${env:NAME:-default}.
var envRef = regexp.MustCompile(`\$\{(?:env:)?([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}`)

// loadConfig reads the processor config from a collector config (the
// `processors` entry named id, or the only llmeval one) or from a bare
// processor config, and validates it exactly as the collector does.
func loadConfig(path, id string) (*llmevalprocessor.Config, string, error) {
	cfg := llmevalprocessor.NewFactory().CreateDefaultConfig().(*llmevalprocessor.Config)
	name, err := loadComponent(path, componentKind{section: "processors", typ: "llmeval", flag: "--processor"}, id, cfg)
	return cfg, name, err
}

// componentKind says where a component's config lives in a collector
// config.
type componentKind struct {
	section string // processors, connectors
	typ     string // the component type: llmeval, llmjudge
	flag    string // the flag that picks one of several
}

// loadComponent decodes a component's config from a collector config (the
// entry of kind.section named id, or the only one of kind.typ) or from a
// bare component config into cfg, and validates it as the collector does.
// ${env:NAME}, ${NAME} and ${env:NAME:-default} are expanded from the
// environment.
func loadComponent(path string, kind componentKind, id string, cfg any) (string, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	text := envRef.ReplaceAllStringFunc(string(raw), func(m string) string {
		sub := envRef.FindStringSubmatch(m)
		if v, ok := os.LookupEnv(sub[1]); ok && v != "" {
			return v
		}
		return sub[2]
	})
	var doc map[string]any
	if err := yaml.Unmarshal([]byte(text), &doc); err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	section, name := doc, kind.typ
	if isCollectorConfig(doc) {
		entries, _ := doc[kind.section].(map[string]any)
		if name, err = pickComponent(entries, kind, id); err != nil {
			return "", fmt.Errorf("%s: %w", path, err)
		}
		section, _ = entries[name].(map[string]any)
	}
	if err := confmap.NewFromStringMap(section).Unmarshal(cfg); err != nil {
		return "", fmt.Errorf("%s: %s::%s: %w", path, kind.section, name, err)
	}
	if err := confmap.Validate(cfg); err != nil {
		return "", fmt.Errorf("%s: %s::%s: %w", path, kind.section, name, err)
	}
	return name, nil
}

// isCollectorConfig tells a collector config from a bare component
// config by the collector's top-level sections.
func isCollectorConfig(doc map[string]any) bool {
	for _, k := range []string{"receivers", "processors", "exporters", "connectors", "extensions", "service"} {
		if _, ok := doc[k]; ok {
			return true
		}
	}
	return false
}

func pickComponent(entries map[string]any, kind componentKind, id string) (string, error) {
	singular := strings.TrimSuffix(kind.section, "s")
	if id != "" {
		if _, ok := entries[id]; !ok {
			return "", fmt.Errorf("no %s %q", singular, id)
		}
		return id, nil
	}
	var found []string
	for k := range entries {
		if k == kind.typ || strings.HasPrefix(k, kind.typ+"/") {
			found = append(found, k)
		}
	}
	sort.Strings(found)
	switch len(found) {
	case 0:
		return "", fmt.Errorf("no %s %s in %s", kind.typ, singular, kind.section)
	case 1:
		return found[0], nil
	}
	return "", fmt.Errorf("several %s %ss (%s): choose one with %s", kind.typ, singular, strings.Join(found, ", "), kind.flag)
}
