package main

import (
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/otelcol-llmeval/otelcol-llmeval/evaluators"
)

// spanKinds says which spans each type can give a verdict on.
var spanKinds = map[string]string{
	"latency": "all LLM/agent spans", "ottl": "all LLM/agent spans",
	"tokens": "spans reporting usage", "cost": "spans reporting usage and a priced model",
	"finish_reason":      "model calls reporting a finish reason",
	"tool_call":          "model calls requesting tools",
	"destructive_action": "model calls requesting tools, tool spans",
	"grounding":          "model calls given tool results",
}

func check(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	path := fs.String("config", "", "collector or processor config")
	id := fs.String("processor", "", "processor ID when the config has several")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *path == "" {
		return fmt.Errorf("--config is required")
	}
	cfg, name, err := loadConfig(*path, *id)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %s is valid\n\n", *path, name)
	w := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "evaluator\ttype\treads\truns on\twhen")
	for _, e := range cfg.EffectiveEvaluators() {
		reads := e.Target
		if reads == "" {
			reads = defaultTarget(e.Type)
		}
		on, ok := spanKinds[e.Type]
		if !ok {
			on = "spans with the " + reads
		}
		when := "always"
		if len(e.When) > 0 {
			when = strings.Join(e.When, " or ")
		} else if !evaluators.RunsOnAgentSpans(e.Type) {
			on += ", not agent/workflow spans"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", e.Name, e.Type, reads, on, when)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if cfg.Signals.IsEnabled() {
		fmt.Fprintln(stdout, "\nsignals: on (all LLM/agent spans)")
	} else {
		fmt.Fprintln(stdout, "\nsignals: off")
	}
	if len(cfg.Sampling.Rules) > 0 || cfg.Sampling.BaselineRatio > 0 {
		fmt.Fprintf(stdout, "sampling: %d rules, baseline %g\n", len(cfg.Sampling.Rules), cfg.Sampling.BaselineRatio)
		for _, r := range cfg.Sampling.Rules {
			fmt.Fprintf(stdout, "  %s\n", r.Name)
		}
	}
	return nil
}

func defaultTarget(typ string) string {
	if t := evaluators.DefaultTarget(typ); t != "" {
		return t
	}
	return "-"
}
