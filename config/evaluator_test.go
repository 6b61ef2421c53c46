package config

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStringList(t *testing.T) {
	tests := []struct {
		name    string
		in      any
		want    []string
		wantErr string
	}{
		{name: "nil", in: nil, want: nil},
		{name: "string", in: "a == b", want: []string{"a == b"}},
		{name: "empty string", in: "", want: []string{""}},
		{name: "string slice", in: []string{"a", "b"}, want: []string{"a", "b"}},
		{name: "any slice", in: []any{"a", "b"}, want: []string{"a", "b"}},
		{name: "empty any slice", in: []any{}, want: []string{}},
		{name: "any slice with int", in: []any{"a", 3}, wantErr: "[1]: must be a string, got int"},
		{name: "any slice with nil", in: []any{nil}, wantErr: "[0]: must be a string, got <nil>"},
		{name: "int", in: 5, wantErr: "must be a string or a list of strings, got int"},
		{name: "bool", in: true, wantErr: "got bool"},
		{name: "map", in: map[string]any{"a": "b"}, wantErr: "got map[string]interface {}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := StringList(tt.in)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				assert.Nil(t, got)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestValidateNames(t *testing.T) {
	tests := []struct {
		name    string
		evs     []Evaluator
		wantErr []string
	}{
		{name: "none", evs: nil},
		{name: "valid", evs: []Evaluator{{Name: "a_1", Type: "regex"}, {Name: "b", Type: "json"}}},
		{name: "missing name", evs: []Evaluator{{Type: "regex"}}, wantErr: []string{"evaluators[0]: name: required"}},
		{name: "bad name upper", evs: []Evaluator{{Name: "Bad-Name", Type: "regex"}},
			wantErr: []string{`evaluators[0] "Bad-Name": name: must match [a-z0-9_]+`}},
		{name: "bad name dot", evs: []Evaluator{{Name: "a.b", Type: "regex"}},
			wantErr: []string{`evaluators[0] "a.b": name: must match`}},
		{name: "bad name space", evs: []Evaluator{{Name: "a b", Type: "regex"}},
			wantErr: []string{`evaluators[0] "a b": name: must match`}},
		{name: "missing type", evs: []Evaluator{{Name: "a"}}, wantErr: []string{`evaluators[0] "a": type: required`}},
		{name: "missing name and type", evs: []Evaluator{{}}, wantErr: []string{"evaluators[0]: name: required", "evaluators[0]: type: required"}},
		{name: "duplicate", evs: []Evaluator{{Name: "a", Type: "regex"}, {Name: "b", Type: "regex"}, {Name: "a", Type: "json"}},
			wantErr: []string{`evaluators[2] "a": name: duplicate of evaluators[0]`}},
		{name: "all at once", evs: []Evaluator{{Name: "", Type: "regex"}, {Name: "X", Type: "regex"}, {Name: "ok"}, {Name: "ok", Type: "json"}},
			wantErr: []string{
				"evaluators[0]: name: required",
				`evaluators[1] "X": name: must match`,
				`evaluators[2] "ok": type: required`,
				`evaluators[3] "ok": name: duplicate of evaluators[2]`,
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errs := Entries{User: tt.evs}.ValidateNames()
			require.Len(t, errs, len(tt.wantErr), "%v", errs)
			for i, w := range tt.wantErr {
				assert.Contains(t, errs[i].Error(), w)
			}
		})
	}
}

func TestEntriesLabel(t *testing.T) {
	es := Entries{Defaults: []Evaluator{{Name: "refusal"}, {Name: "pii"}}, User: []Evaluator{{Name: "x"}, {}}}
	assert.Len(t, es.All(), 4)
	assert.Equal(t, `default_evaluators[1] "pii"`, es.Label(1))
	assert.Equal(t, `evaluators[0] "x"`, es.Label(2), "the user's first entry is evaluators[0], whatever the defaults")
	assert.Equal(t, "evaluators[1]", es.Label(3))
	errs := Entries{Defaults: []Evaluator{{Name: "pii", Type: "pii"}}, User: []Evaluator{{Name: "pii", Type: "regex"}}}.ValidateNames()
	require.Len(t, errs, 1)
	assert.EqualError(t, errs[0], `evaluators[0] "pii": name: duplicate of default_evaluators[0] "pii"`)
}

func TestDecodeSettings(t *testing.T) {
	type settings struct {
		Max  time.Duration `mapstructure:"max"`
		Name string        `mapstructure:"name"`
	}
	var s settings
	require.NoError(t, Evaluator{}.DecodeSettings(&s), "no settings is fine")
	assert.Equal(t, settings{}, s)

	require.NoError(t, Evaluator{Settings: map[string]any{"max": "1500ms", "name": "x"}}.DecodeSettings(&s))
	assert.Equal(t, settings{Max: 1500 * time.Millisecond, Name: "x"}, s)

	err := Evaluator{Settings: map[string]any{"must_match": "x"}}.DecodeSettings(&s)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "must_match")
}
