package config

import (
	"fmt"
	"reflect"
	"strings"
	"time"
)

var durationType = reflect.TypeFor[time.Duration]()

// RequireDurationUnits reports every duration field of the config type t
// (followed through mapstructure names, nested structs, pointers and
// slices) whose raw YAML value is a bare number. The Collector's decoder
// would read `max: 20` as 20 nanoseconds; a unit ("20s", "500ms") says
// what the user meant. Errors name the field by its path.
func RequireDurationUnits(raw map[string]any, t reflect.Type) error {
	var errs []string
	walkDurations(raw, t, "", &errs)
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("%s", strings.Join(errs, "\n"))
}

func walkDurations(raw map[string]any, t reflect.Type, path string, errs *[]string) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return
	}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(f.Tag.Get("mapstructure"), ",")
		if strings.Contains(opts, "squash") {
			walkDurations(raw, f.Type, path, errs)
			continue
		}
		if name == "" || name == "-" {
			continue
		}
		v, ok := raw[name]
		if !ok {
			continue
		}
		walkValue(v, f.Type, path+name, errs)
	}
}

func walkValue(v any, t reflect.Type, path string, errs *[]string) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == durationType:
		switch v.(type) {
		case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, float32, float64:
			*errs = append(*errs, fmt.Sprintf("%s: %v has no unit: write a duration such as \"%vs\" or \"%vms\"", path, v, v, v))
		}
	case t.Kind() == reflect.Struct:
		if m, ok := v.(map[string]any); ok {
			walkDurations(m, t, path+": ", errs)
		}
	case t.Kind() == reflect.Slice:
		if items, ok := v.([]any); ok {
			for i, item := range items {
				walkValue(item, t.Elem(), fmt.Sprintf("%s[%d]", path, i), errs)
			}
		}
	}
}
