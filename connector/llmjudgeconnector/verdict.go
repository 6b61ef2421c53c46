package llmjudgeconnector

import (
	"bytes"
	"encoding/json"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/otelcol-llmeval/otelcol-llmeval/evaluators"
)

// verdict is a parsed answer.
type verdict struct {
	pass        bool
	score       float64
	hasScore    bool
	explanation string
}

// maxObjectTries bounds the candidate JSON objects tried in one answer.
const maxObjectTries = 64

var thinkBlock = regexp.MustCompile(`(?s)<think>.*?</think>`)

// parseAnswer reads the judge's answer against the contract (sc nil:
// binary). In order: the answer as one JSON object; the object in its
// single ```json fence; the last JSON object in the text (after prose or
// a <think> block); a last line that is a bare PASS / FAIL (binary) or
// score (numeric), with the lines before it as the explanation. Anything
// else is not a verdict: ok is false and nothing is guessed.
func parseAnswer(content string, sc *scale) (verdict, bool) {
	text := strings.TrimSpace(thinkBlock.ReplaceAllString(content, ""))
	if text == "" {
		return verdict{}, false
	}
	if v, ok := fromJSON(text, sc); ok {
		return v, true
	}
	if inner, err := evaluators.ExtractJSON(text); err == nil && inner != text {
		if v, ok := fromJSON(inner, sc); ok {
			return v, true
		}
	}
	if v, ok := lastObject(text, sc); ok {
		return v, true
	}
	return bare(text, sc)
}

// judgeJSON is the contract's shape, with the spellings judges drift to.
type judgeJSON struct {
	Explanation *string         `json:"explanation"`
	Reasoning   *string         `json:"reasoning"`
	Verdict     *string         `json:"verdict"`
	Score       json.RawMessage `json:"score"`
}

func fromJSON(text string, sc *scale) (verdict, bool) {
	var j judgeJSON
	if json.Unmarshal([]byte(text), &j) != nil {
		return verdict{}, false
	}
	return j.verdict(sc)
}

func (j *judgeJSON) verdict(sc *scale) (verdict, bool) {
	var v verdict
	switch {
	case j.Explanation != nil:
		v.explanation = *j.Explanation
	case j.Reasoning != nil:
		v.explanation = *j.Reasoning
	}
	if sc == nil {
		if j.Verdict == nil {
			return v, false
		}
		pass, ok := passFail(*j.Verdict)
		v.pass = pass
		return v, ok
	}
	score, ok := number(j.Score)
	if !ok || score < float64(sc.min) || score > float64(sc.max) {
		return v, false
	}
	v.score, v.hasScore, v.pass = score, true, sc.passes(score)
	return v, true
}

// number reads a JSON number, or a string holding one ("4").
func number(raw json.RawMessage) (float64, bool) {
	if len(raw) == 0 {
		return 0, false
	}
	var f float64
	if json.Unmarshal(raw, &f) == nil {
		return f, !math.IsNaN(f)
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return 0, false
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	return f, err == nil && !math.IsNaN(f) && !math.IsInf(f, 0)
}

func passFail(s string) (pass, ok bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "pass", "passed":
		return true, true
	case "fail", "failed":
		return false, true
	}
	return false, false
}

// lastObject finds the last '{' from which a JSON object of the
// contract's shape decodes.
func lastObject(text string, sc *scale) (verdict, bool) {
	b := []byte(text)
	end := len(b)
	for tries := 0; tries < maxObjectTries; tries++ {
		i := bytes.LastIndexByte(b[:end], '{')
		if i < 0 {
			return verdict{}, false
		}
		var j judgeJSON
		if json.NewDecoder(bytes.NewReader(b[i:])).Decode(&j) == nil {
			if v, ok := j.verdict(sc); ok {
				return v, true
			}
		}
		end = i
	}
	return verdict{}, false
}

// bareVerdict is the last line of an answer without JSON:
// "PASS", "**Verdict: FAIL**", "Final score: 4".
var bareVerdict = regexp.MustCompile(`(?i)^(?:(?:final\s+)?(?:verdict|answer|score|result)\s*[:=-]?\s*)?([a-z]+|[0-9]+(?:\.[0-9]+)?)(?:\s*/\s*[0-9]+)?$`)

func bare(text string, sc *scale) (verdict, bool) {
	lines := strings.Split(text, "\n")
	last := len(lines) - 1
	for last >= 0 && strings.TrimSpace(lines[last]) == "" {
		last--
	}
	if last < 0 {
		return verdict{}, false
	}
	line := strings.Trim(strings.TrimSpace(lines[last]), "*_#>`.! ")
	m := bareVerdict.FindStringSubmatch(line)
	if m == nil {
		return verdict{}, false
	}
	v := verdict{explanation: strings.TrimSpace(strings.Join(lines[:last], "\n"))}
	if sc == nil {
		pass, ok := passFail(m[1])
		v.pass = pass
		return v, ok
	}
	score, err := strconv.ParseFloat(m[1], 64)
	if err != nil || score < float64(sc.min) || score > float64(sc.max) {
		return verdict{}, false
	}
	v.score, v.hasScore, v.pass = score, true, sc.passes(score)
	return v, true
}
