// Package llmjudgeconnector is an OpenTelemetry Collector connector, traces
// to logs, that asks an LLM judge (any OpenAI-compatible chat completions
// API) rubric questions about the spans and traces it receives and emits
// one gen_ai.evaluation.result log record per rubric and judged span.
package llmjudgeconnector // import "github.com/otelcol-llmeval/otelcol-llmeval/connector/llmjudgeconnector"

//go:generate mdatagen metadata.yaml
