package llmjudgeconnector

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"text/template"

	"go.opentelemetry.io/collector/component"

	"github.com/otelcol-llmeval/otelcol-llmeval/config"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spanmodel"
)

// maxPromptFileBytes bounds a prompt_file; a prompt is instructions, not data.
const maxPromptFileBytes = 1 << 20

// rubric is a built RubricConfig: what is asked, of which spans, and the
// contract the answer must meet.
type rubric struct {
	name  string
	level string
	// when is nil when the rubric applies to every LLM/agent span.
	when  *spanmodel.Condition
	tmpl  *template.Template
	scale *scale // nil: binary pass/fail
	// fixed are the messages before the rendered prompt: the contract
	// (system) and the few-shot examples; fixedBytes is their content size.
	fixed      []chatMessage
	fixedBytes int
	// responseFormat is the request's response_format, or nil.
	responseFormat json.RawMessage
	// version hashes what decides the verdict: the model, the contract and
	// examples and the prompt template.
	version string
}

// scale is a numeric rubric scale.
type scale struct {
	min, max int
	pass     float64
	anchors  []anchor // by level
}

type anchor struct {
	level int
	text  string
}

// buildRubric builds entry i. Errors name the field; the caller names the
// rubric.
func buildRubric(rc RubricConfig, model, responseFormat string, tel component.TelemetrySettings) (*rubric, error) {
	r := &rubric{name: rc.Name, level: rc.Level}
	var errs []error
	switch rc.Level {
	case "":
		r.level = levelSpan
	case levelSpan, levelTrace:
	default:
		errs = append(errs, fmt.Errorf("level: %q is not one of span, trace", rc.Level))
	}
	if len(rc.When) > 0 {
		c, err := parseWhen(rc.When, tel)
		if err != nil {
			errs = append(errs, fmt.Errorf("when: %w", err))
		}
		r.when = c
	}
	if rc.Scale != nil {
		sc, err := buildScale(rc.Scale)
		if err != nil {
			errs = append(errs, prefixLines("scale: ", err))
		}
		r.scale = sc
	}
	source, err := promptSource(rc)
	if err != nil {
		errs = append(errs, err)
	} else if r.tmpl, err = parsePrompt(rc.Name, source); err != nil {
		errs = append(errs, fmt.Errorf("prompt: %w", err))
	}
	var examples []example
	if rc.ExamplesFile != "" && (rc.Scale == nil || r.scale != nil) {
		if examples, err = loadExamples(rc.ExamplesFile, r.scale); err != nil {
			errs = append(errs, prefixLines("examples_file: ", err))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	r.fixed = append(r.fixed, chatMessage{Role: "system", Content: contract(r.level, r.scale)})
	for _, ex := range examples {
		r.fixed = append(r.fixed,
			chatMessage{Role: "user", Content: ex.Input},
			chatMessage{Role: "assistant", Content: ex.answer()})
	}
	for _, m := range r.fixed {
		r.fixedBytes += len(m.Content)
	}
	if responseFormat != formatNone {
		r.responseFormat = responseFormatFor(responseFormat, r.scale)
	}
	r.version = versionHash(model, r.fixed, source)
	if err := tryPrompt(r); err != nil {
		return nil, fmt.Errorf("prompt: %w", err)
	}
	return r, nil
}

func parseWhen(conds []string, tel component.TelemetrySettings) (*spanmodel.Condition, error) {
	p, err := spanmodel.NewConditionParser(tel)
	if err != nil {
		return nil, err
	}
	return p.Parse(conds)
}

func promptSource(rc RubricConfig) (string, error) {
	switch {
	case rc.Prompt != "" && rc.PromptFile != "":
		return "", errors.New("prompt, prompt_file: set exactly one")
	case rc.Prompt != "":
		return rc.Prompt, nil
	case rc.PromptFile != "":
		b, err := readBounded(rc.PromptFile, maxPromptFileBytes)
		if err != nil {
			return "", fmt.Errorf("prompt_file: %w", err)
		}
		if strings.TrimSpace(string(b)) == "" {
			return "", fmt.Errorf("prompt_file: %s is empty", rc.PromptFile)
		}
		return string(b), nil
	}
	return "", errors.New("prompt: required (or prompt_file)")
}

// readBounded reads a file of at most limit bytes.
func readBounded(path string, limit int64) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.Size() > limit {
		return nil, fmt.Errorf("%s is larger than %d bytes", path, limit)
	}
	return os.ReadFile(path)
}

func buildScale(sc *ScaleConfig) (*scale, error) {
	var errs []error
	if sc.Min >= sc.Max {
		errs = append(errs, fmt.Errorf("min %d must be less than max %d", sc.Min, sc.Max))
	}
	if sc.Max-sc.Min > 100 {
		errs = append(errs, errors.New("at most 101 levels"))
	}
	if sc.PassThreshold < float64(sc.Min) || sc.PassThreshold > float64(sc.Max) {
		errs = append(errs, fmt.Errorf("pass_threshold: %g is outside [%d, %d]", sc.PassThreshold, sc.Min, sc.Max))
	}
	s := &scale{min: sc.Min, max: sc.Max, pass: sc.PassThreshold}
	for k, text := range sc.Anchors {
		level, err := strconv.Atoi(strings.TrimSpace(k))
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("anchors: key %q is not a whole number", k))
		case level < sc.Min || level > sc.Max:
			errs = append(errs, fmt.Errorf("anchors: level %d is outside [%d, %d]", level, sc.Min, sc.Max))
		case strings.TrimSpace(text) == "":
			errs = append(errs, fmt.Errorf("anchors: level %d is empty", level))
		default:
			s.anchors = append(s.anchors, anchor{level: level, text: strings.TrimSpace(text)})
		}
	}
	sort.Slice(s.anchors, func(i, j int) bool { return s.anchors[i].level < s.anchors[j].level })
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return s, nil
}

// passes reports whether a score passes on this scale.
func (s *scale) passes(score float64) bool { return score >= s.pass }

// contract is the system message: the role, reasoning before the verdict,
// and the one answer shape the parser expects.
func contract(level string, sc *scale) string {
	var b strings.Builder
	b.WriteString("You are a careful evaluator of an LLM application's telemetry. ")
	if level == levelTrace {
		b.WriteString("The user message gives a rubric and a whole trace to judge: the steps of one run of an agent, in order.\n")
	} else {
		b.WriteString("The user message gives a rubric and one span to judge: one model call, tool call or agent step.\n")
	}
	b.WriteString("Reason about the rubric first, then decide. Answer with a single JSON object and nothing else:\n")
	if sc == nil {
		b.WriteString(`{"explanation": "<your reasoning, in a few sentences>", "verdict": "pass" or "fail"}` + "\n")
		b.WriteString(`"pass" means the rubric is met, "fail" that it is not.`)
		return b.String()
	}
	fmt.Fprintf(&b, `{"explanation": "<your reasoning, in a few sentences>", "score": <a whole number from %d to %d>}`+"\n", sc.min, sc.max)
	if len(sc.anchors) > 0 {
		b.WriteString("The scale:")
		for _, a := range sc.anchors {
			fmt.Fprintf(&b, "\n%d: %s", a.level, a.text)
		}
	}
	return b.String()
}

// responseFormatFor is the request's response_format: a strict JSON schema
// of the contract (explanation first, so the reasoning comes before the
// verdict), or plain JSON mode.
func responseFormatFor(format string, sc *scale) json.RawMessage {
	if format == formatJSONObject {
		return json.RawMessage(`{"type":"json_object"}`)
	}
	verdict := `"verdict":{"type":"string","enum":["pass","fail"]}`
	required := `["explanation","verdict"]`
	if sc != nil {
		verdict = fmt.Sprintf(`"score":{"type":"integer","minimum":%d,"maximum":%d}`, sc.min, sc.max)
		required = `["explanation","score"]`
	}
	return json.RawMessage(`{"type":"json_schema","json_schema":{"name":"llmjudge_verdict","strict":true,"schema":` +
		`{"type":"object","properties":{"explanation":{"type":"string"},` + verdict + `},` +
		`"required":` + required + `,"additionalProperties":false}}}`)
}

// versionHash identifies a rubric's wording: a change to the prompt, the
// examples, the scale or the model gives another version.
func versionHash(model string, fixed []chatMessage, prompt string) string {
	h := sha256.New()
	for _, s := range []string{model, prompt} {
		fmt.Fprintf(h, "%d:%s", len(s), s)
	}
	for _, m := range fixed {
		fmt.Fprintf(h, "%d:%s%d:%s", len(m.Role), m.Role, len(m.Content), m.Content)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// buildRubrics builds every rubric, reporting all errors at once, each
// naming the rubric.
func buildRubrics(cfg *Config, tel component.TelemetrySettings) ([]*rubric, error) {
	var errs []error
	seen := map[string]int{}
	out := make([]*rubric, 0, len(cfg.Rubrics))
	for i, rc := range cfg.Rubrics {
		label := fmt.Sprintf("rubrics[%d]", i)
		switch {
		case rc.Name == "":
			errs = append(errs, fmt.Errorf("%s: name: required", label))
			continue
		case !config.ValidName(rc.Name):
			errs = append(errs, fmt.Errorf("%s %q: name: must match [a-z0-9_]+", label, rc.Name))
			continue
		}
		label = fmt.Sprintf("%s %q", label, rc.Name)
		if j, dup := seen[rc.Name]; dup {
			errs = append(errs, fmt.Errorf("%s: name: duplicate of rubrics[%d]", label, j))
		}
		seen[rc.Name] = i
		r, err := buildRubric(rc, cfg.Model.Name, cfg.Model.ResponseFormat, tel)
		if err != nil {
			errs = append(errs, prefixLines(label+": ", err))
			continue
		}
		if r.fixedBytes >= cfg.MaxPromptBytes {
			errs = append(errs, fmt.Errorf("%s: examples_file: instructions and examples take %d bytes, max_prompt_bytes is %d", label, r.fixedBytes, cfg.MaxPromptBytes))
			continue
		}
		out = append(out, r)
	}
	if cfg.Model.Enabled() && len(cfg.Rubrics) == 0 {
		errs = append(errs, errors.New("rubrics: at least one rubric is required with a model"))
	}
	return out, errors.Join(errs...)
}
