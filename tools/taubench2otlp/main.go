// Command taubench2otlp writes the tau-bench airline trajectories as OTLP
// JSON lines (the file exporter's format), one trace per trajectory, for
// `llmeval replay`:
//
//	go run ./tools/taubench2otlp > taubench.jsonl
//	bin/llmeval replay --config testdata/collector/run.yaml taubench.jsonl
//
// Given a path, it converts that file instead: any trajectories in the
// same format, such as testdata/agentcorpus/trajectories.json.
package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-llmeval/otelcol-llmeval/internal/taubench"
)

func main() {
	path := taubench.DefaultPath()
	if len(os.Args) > 1 {
		path = os.Args[1]
	}
	if path == "" {
		fmt.Fprintf(os.Stderr, "tau-bench airline dataset not found; looked for:\n  %s\n", strings.Join(taubench.SearchPaths(), "\n  "))
		os.Exit(2)
	}
	recs, err := taubench.Load(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	w := bufio.NewWriter(os.Stdout)
	var m ptrace.JSONMarshaler
	for _, r := range recs {
		b, err := m.MarshalTraces(r.Traces())
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		// A bufio.Writer keeps its first error; Flush below reports it.
		_, _ = w.Write(b)
		_ = w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
