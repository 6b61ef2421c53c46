package evaluators

import (
	"context"
	"fmt"
	"strings"

	"github.com/otelcol-llmeval/otelcol-llmeval/config"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spanmodel"
)

// maxJSONDepth bounds how deep the string values of JSON arguments are
// searched; deeper nesting is an error verdict, not a stack overflow.
const maxJSONDepth = 64

// sqlSafetyEvaluator fails SQL that destroys or rewrites data or rights:
// DROP, TRUNCATE, ALTER, GRANT, REVOKE, and DELETE or UPDATE without WHERE.
type sqlSafetyEvaluator struct {
	target spanmodel.Target
	allow  [numSQLRisks]bool
}

type sqlSafetySettings struct {
	Allow []string `mapstructure:"allow"`
}

func newSQLSafety(e config.Evaluator, target spanmodel.Target, _ *Settings) (Evaluator, error) {
	var s sqlSafetySettings
	if err := e.DecodeSettings(&s); err != nil {
		return nil, err
	}
	ev := &sqlSafetyEvaluator{target: target}
	for i, a := range s.Allow {
		found := false
		for r, name := range sqlRiskNames {
			if a == name {
				ev.allow[r], found = true, true
			}
		}
		if !found {
			return nil, fmt.Errorf("allow[%d]: unknown statement kind %q (want one of %s)", i, a, strings.Join(sqlRiskNames[:], ", "))
		}
	}
	return ev, nil
}

func (e *sqlSafetyEvaluator) Evaluate(_ context.Context, v *spanmodel.View) Result {
	text, r, ok := textOf(v, e.target)
	if !ok {
		return r
	}
	l := judgeOf(v).sql // the lexer kept with v, for one evaluation at a time
	found, stmt := SQLRisk(0), 0
	scan := func(s string) bool {
		l.ScanSQL(s, func(risk SQLRisk, n int) {
			if stmt == 0 && !e.allow[risk] {
				found, stmt = risk, n
			}
		})
		return stmt == 0
	}
	if e.target.Kind == spanmodel.TargetToolArguments {
		// Per call, so that arguments holding natural language (a search
		// query, a commit message, a ticket's text) are skipped.
		calls, err := v.ToolCalls()
		if err != nil {
			return Errored(err)
		}
		for _, c := range calls {
			tool := toolNameOn(v, c.Name).class(c.Name)
			err := eachArgKindOn(v, c.Arguments, func(_ string, k keyKind, s string) bool {
				switch {
				case tool.prose(k):
					return true
				case tool.code(k):
					// ORM calls that delete everything, and the SQL in the
					// code's string literals
					if r, ok := codeORMRisk(s); ok && !e.allow[r] {
						found, stmt = r, 1
						return false
					}
					eachCodeString(s, func(lit, callee string) bool {
						if sqlCallees[callee] {
							return scan(lit)
						}
						return true
					})
					return stmt == 0
				}
				return scan(s)
			})
			if err != nil {
				return Errored(err)
			}
			if stmt != 0 {
				break
			}
		}
	} else if err := eachJSONString(text, scan); err != nil {
		return Errored(err)
	}
	if stmt != 0 {
		return Failed("%s statement (statement %d)", strings.ToUpper(strings.ReplaceAll(found.String(), "_", " ")), stmt)
	}
	return Passed()
}

// eachJSONString calls fn with every string value (and object key) of text
// when text is a JSON object or array, and with text itself otherwise, so
// SQL inside tool arguments is read unescaped. fn returns false to stop.
// Text is validated first, so the walk only gives strings that stand;
// strings without escapes are passed without copying.
func eachJSONString(text string, fn func(string) bool) error {
	t := strings.TrimSpace(text)
	if t == "" || (t[0] != '{' && t[0] != '[') || !jsonValid(t) {
		fn(text)
		return nil
	}
	if spanmodel.WalkJSONStrings(t, maxJSONDepth, true, func(_, s string) bool { return fn(s) }) == spanmodel.JSONTooDeep {
		return errArgsTooDeep
	}
	return nil
}
