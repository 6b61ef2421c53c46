package evaluators

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"

	"github.com/otelcol-llmeval/otelcol-llmeval/config"
)

// piiFound runs the scanner and returns kind → matched values.
func piiFound(text string, kinds PIIKinds) map[string][]string {
	out := map[string][]string{}
	ScanPII(text, kinds, func(k PIIKind, s, e int) { out[k.String()] = append(out[k.String()], text[s:e]) })
	return out
}

func TestScanPII(t *testing.T) {
	cases := []struct {
		text string
		want map[string][]string
	}{
		{"Mail jane.doe+tag@example.co.uk.", map[string][]string{"email": {"jane.doe+tag@example.co.uk"}}},
		{"not an address: @handle, a@b, x@localhost", map[string][]string{}},
		{"Call (415) 555-0100 or +44 20 7946 0958 or 415.555.0199", map[string][]string{"phone": {"(415) 555-0100", "+44 20 7946 0958", "415.555.0199"}}},
		{"Card 4111 1111 1111 1111 and 4111-1111-1111-1112", map[string][]string{"credit_card": {"4111 1111 1111 1111"}}},
		{"Amex 3782 822463 10005", map[string][]string{"credit_card": {"3782 822463 10005"}}},
		{"SSN 123-45-6789, not 000-12-3456 or 666-12-3456 or 912-34-5678", map[string][]string{"ssn": {"123-45-6789"}}},
		{"IBAN DE89 3704 0044 0532 0130 00 and GB82WEST12345698765432; bad DE89370400440532013001", map[string][]string{"iban": {"DE89 3704 0044 0532 0130 00", "GB82WEST12345698765432"}}},
		{"hosts 10.0.0.12 and 2001:db8::8a2e:370:7334, not 999.1.1.1", map[string][]string{"ip_address": {"10.0.0.12", "2001:db8::8a2e:370:7334"}}},
		{"key AKIAIOSFODNN7EXAMPLE and ghp_" + strings.Repeat("a", 36), map[string][]string{"secret": {"AKIAIOSFODNN7EXAMPLE", "ghp_" + strings.Repeat("a", 36)}}},
		{"sk-ant-api03-" + strings.Repeat("x", 30) + " sk-proj-" + strings.Repeat("Y", 30), map[string][]string{"secret": {"sk-ant-api03-" + strings.Repeat("x", 30), "sk-proj-" + strings.Repeat("Y", 30)}}},
		{"token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.abcdefghijkl", map[string][]string{"secret": {"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.abcdefghijkl"}}},
		{"-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----", map[string][]string{"secret": {"-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----"}}},
		// Near misses: versions, dates, times, UUIDs, order numbers, prose.
		{"v1.2.3.4 released 2026-11-24 13:21:50, build 1.22.3, order 100234567, ticket 4111111111111111x", map[string][]string{}},
		{"id 550e8400-e29b-41d4-a716-446655440000 and 3.14159 and 12:30 and task-sk-123", map[string][]string{}},
		{"Room 415 555 0100a and 1234567890", map[string][]string{}},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, piiFound(tc.text, AllPIIKinds), tc.text)
	}
}

func TestPIIEvaluator(t *testing.T) {
	p := entry("p", "pii", nil)
	runEvalCases(t, []evalCase{
		{name: "clean", entry: p, attrs: []kv{chat, outMsgs("Your order ships Friday.")}, verdict: Pass},
		{name: "kinds and counts", entry: p, attrs: []kv{chat, outMsgs("Write to a@example.com or b@example.org; SSN 123-45-6789")}, verdict: Fail, reason: "pii found: email (2), ssn (1)"},
		{name: "kinds limited", entry: entry("p", "pii", map[string]any{"kinds": []any{"ssn"}}), attrs: []kv{chat, outMsgs("a@example.com")}, verdict: Pass},
		{name: "allow list", entry: entry("p", "pii", map[string]any{"allow": []any{"support@example.com"}}), attrs: []kv{chat, outMsgs("Contact support@example.com")}, verdict: Pass},
		{name: "secret in tool result", entry: withTarget(p, "tool_result"), attrs: []kv{{"gen_ai.operation.name", "execute_tool"}, {"gen_ai.tool.name", "env"}, {"gen_ai.tool.call.result", `{"OPENAI_API_KEY":"sk-proj-` + strings.Repeat("k", 40) + `"}`}}, verdict: Fail, reason: "pii found: secret (1)"},
		{name: "absent", entry: p, attrs: []kv{chat}, verdict: Skip},
	})
}

// TestPIIReasonNeverHoldsTheValue checks every kind: the reason may say
// what was found, never the value itself.
func TestPIIReasonNeverHoldsTheValue(t *testing.T) {
	values := []string{
		"jane@example.com", "+1 415 555 0100", "4111 1111 1111 1111", "123-45-6789",
		"GB82WEST12345698765432", "10.1.2.3", "AKIAIOSFODNN7EXAMPLE",
	}
	c := build(t, entry("p", "pii", nil))
	for _, val := range values {
		v := viewOf(t, chat, outMsgs("here: "+val+" ok"))
		r, _ := evaluate(t, c, v)
		require.Equal(t, Fail, r.Verdict, val)
		assert.NotContains(t, r.Reason, val)
		for _, part := range strings.FieldsFunc(val, func(r rune) bool { return r == ' ' || r == '-' || r == '.' || r == '@' }) {
			if len(part) >= 4 {
				assert.NotContains(t, r.Reason, part, "reason %q leaks part of %q", r.Reason, val)
			}
		}
	}
}

func TestPIIBuildErrors(t *testing.T) {
	_, err := Build(config.Entries{User: []config.Evaluator{entry("x", "pii", map[string]any{"kinds": []any{"email", "passport"}})}}, componenttest.NewNopTelemetrySettings())
	assert.ErrorContains(t, err, `"x": kinds[1]: unknown kind "passport"`)
	_, err = Build(config.Entries{User: []config.Evaluator{entry("x", "pii", map[string]any{"kinds": []any{}})}}, componenttest.NewNopTelemetrySettings())
	assert.ErrorContains(t, err, `"x": kinds: must list at least one kind`)
}

func FuzzPII(f *testing.F) {
	for _, s := range []string{
		"a@b.co 123-45-6789 4111111111111111 +14155550100 DE89370400440532013000 10.0.0.1 ::1 fe80::1",
		"eyJa.eyJb.c -----BEGIN PRIVATE KEY-----\n", "sk-" + strings.Repeat("a", 40), "(((((", "@@@..", "1.1.1.1.1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		ScanPII(text, AllPIIKinds, func(k PIIKind, s, e int) {
			if k >= numPIIKinds || s < 0 || e > len(text) || s >= e {
				t.Fatalf("bad match %v [%d,%d) in %d bytes", k, s, e, len(text))
			}
		})
	})
}
