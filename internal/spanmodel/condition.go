package spanmodel

import (
	"context"
	"fmt"
	"strings"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/ottl"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/ottl/contexts/ottlspan"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/ottl/ottlfuncs"
	"go.opentelemetry.io/collector/component"
)

// ConditionParser parses OTTL span conditions with the standard converters,
// the functions every component of this module offers in `when`,
// `fail_when` and sampling `condition`.
type ConditionParser struct {
	parser ottl.Parser[*ottlspan.TransformContext]
	tel    component.TelemetrySettings
}

// NewConditionParser builds a parser; build one per config, not per span.
func NewConditionParser(tel component.TelemetrySettings) (*ConditionParser, error) {
	funcs := ottlfuncs.StandardConverters[*ottlspan.TransformContext]()
	p, err := ottlspan.NewParser(funcs, tel, ottlspan.EnablePathContextNames())
	if err != nil {
		return nil, fmt.Errorf("creating OTTL parser: %w", err)
	}
	return &ConditionParser{parser: p, tel: tel}, nil
}

// Condition is a parsed list of OTTL span conditions, true when any is.
type Condition struct {
	seq ottl.ConditionSequence[*ottlspan.TransformContext]
}

// Parse parses conds into one OR-ed condition. An empty entry is an error
// naming its index.
func (p *ConditionParser) Parse(conds []string) (*Condition, error) {
	for i, c := range conds {
		if strings.TrimSpace(c) == "" {
			return nil, fmt.Errorf("[%d]: empty condition", i)
		}
	}
	parsed, err := p.parser.ParseConditions(conds)
	if err != nil {
		return nil, err
	}
	return &Condition{seq: ottlspan.NewConditionSequence(parsed, p.tel,
		ottlspan.WithConditionSequenceErrorMode(ottl.PropagateError))}, nil
}

// Match evaluates the condition on the view's span.
func (c *Condition) Match(ctx context.Context, v *View) (bool, error) {
	return c.seq.Eval(ctx, v.TransformContext())
}
