// Package llmevalresultsconnector is an OpenTelemetry Collector connector,
// traces to logs, that turns the verdicts the llmeval processor wrote on
// spans into gen_ai.evaluation.result log records, one per verdict,
// parented to the span: the same records the llmjudge connector writes for
// a model's verdicts, so a logs backend sees code and judge evaluations
// side by side.
package llmevalresultsconnector // import "github.com/otelcol-llmeval/otelcol-llmeval/connector/llmevalresultsconnector"

//go:generate mdatagen metadata.yaml
