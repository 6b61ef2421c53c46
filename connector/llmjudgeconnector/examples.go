package llmjudgeconnector

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// maxExamplesFileBytes bounds an examples_file: every example is sent with
// every call.
const maxExamplesFileBytes = 1 << 20

// example is one few-shot example, a line of an examples_file:
//
//	{"input": "...", "explanation": "...", "verdict": "pass"}   binary rubric
//	{"input": "...", "explanation": "...", "score": 4}          numeric rubric
//
// input is shown to the judge as a user turn, the rest as the answer it
// should have given, in the contract's shape.
type example struct {
	Input       string   `json:"input"`
	Explanation string   `json:"explanation"`
	Verdict     string   `json:"verdict,omitempty"`
	Score       *float64 `json:"score,omitempty"`
}

// answer renders the example's answer in the contract's shape.
func (e example) answer() string {
	var b []byte
	if e.Score != nil {
		b, _ = json.Marshal(struct {
			Explanation string  `json:"explanation"`
			Score       float64 `json:"score"`
		}{e.Explanation, *e.Score})
	} else {
		b, _ = json.Marshal(struct {
			Explanation string `json:"explanation"`
			Verdict     string `json:"verdict"`
		}{e.Explanation, e.Verdict})
	}
	return string(b)
}

// loadExamples reads and checks an examples file against the rubric's
// scale (nil: binary). Errors name the line.
func loadExamples(path string, sc *scale) ([]example, error) {
	raw, err := readBounded(path, maxExamplesFileBytes)
	if err != nil {
		return nil, err
	}
	var out []example
	var errs []error
	lines := bufio.NewScanner(bytes.NewReader(raw))
	lines.Buffer(make([]byte, 64<<10), maxExamplesFileBytes)
	for n := 1; lines.Scan(); n++ {
		line := bytes.TrimSpace(lines.Bytes())
		if len(line) == 0 {
			continue
		}
		var ex example
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&ex); err != nil {
			errs = append(errs, fmt.Errorf("%s:%d: %w", path, n, err))
			continue
		}
		if err := ex.check(sc); err != nil {
			errs = append(errs, fmt.Errorf("%s:%d: %w", path, n, err))
			continue
		}
		out = append(out, ex)
	}
	if err := lines.Err(); err != nil {
		errs = append(errs, fmt.Errorf("%s: %w", path, err))
	}
	if len(errs) == 0 && len(out) == 0 {
		errs = append(errs, fmt.Errorf("%s: no examples", path))
	}
	return out, errors.Join(errs...)
}

func (e *example) check(sc *scale) error {
	if strings.TrimSpace(e.Input) == "" {
		return errors.New("input: required")
	}
	if strings.TrimSpace(e.Explanation) == "" {
		return errors.New("explanation: required (the judge is asked to reason before its verdict)")
	}
	if sc == nil {
		if e.Score != nil {
			return errors.New("score: the rubric has no scale; give verdict: pass or fail")
		}
		switch e.Verdict = strings.ToLower(e.Verdict); e.Verdict {
		case "pass", "fail":
			return nil
		}
		return fmt.Errorf("verdict: %q is not pass or fail", e.Verdict)
	}
	if e.Verdict != "" {
		return errors.New("verdict: the rubric has a scale; give score instead")
	}
	if e.Score == nil || *e.Score < float64(sc.min) || *e.Score > float64(sc.max) {
		return fmt.Errorf("score: required, from %d to %d", sc.min, sc.max)
	}
	return nil
}
