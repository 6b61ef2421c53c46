package config

import (
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestRequireDurationUnits(t *testing.T) {
	type inner struct {
		Wait time.Duration `mapstructure:"wait"`
	}
	type cfg struct {
		Max    time.Duration  `mapstructure:"max"`
		Ptr    *time.Duration `mapstructure:"ptr"`
		Count  int            `mapstructure:"count"`
		Nested inner          `mapstructure:"nested"`
		List   []inner        `mapstructure:"list"`
		Rest   map[string]any `mapstructure:",remain"`
	}
	typ := reflect.TypeFor[cfg]()
	tests := []struct {
		name    string
		raw     map[string]any
		wantErr string
	}{
		{name: "units", raw: map[string]any{"max": "20s", "ptr": "1m", "nested": map[string]any{"wait": "5ms"}}},
		{name: "numbers elsewhere", raw: map[string]any{"count": 20, "other": 3}},
		{name: "bare int", raw: map[string]any{"max": 20}, wantErr: `max: 20 has no unit: write a duration such as "20s" or "20ms"`},
		{name: "bare float pointer", raw: map[string]any{"ptr": 1.5}, wantErr: "ptr: 1.5 has no unit"},
		{name: "nested", raw: map[string]any{"nested": map[string]any{"wait": 5}}, wantErr: "nested: wait: 5 has no unit"},
		{name: "in a list", raw: map[string]any{"list": []any{map[string]any{"wait": "1s"}, map[string]any{"wait": 7}}}, wantErr: "list[1]: wait: 7 has no unit"},
		{name: "all at once", raw: map[string]any{"max": 1, "nested": map[string]any{"wait": 2}}, wantErr: "max: 1 has no unit: write a duration such as \"1s\" or \"1ms\"\nnested: wait: 2 has no unit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := RequireDurationUnits(tt.raw, typ)
			if tt.wantErr == "" {
				assert.NoError(t, err)
				return
			}
			assert.ErrorContains(t, err, tt.wantErr)
		})
	}
}
