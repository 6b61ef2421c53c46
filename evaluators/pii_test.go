package evaluators

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"

	"github.com/otelcol-llmeval/otelcol-llmeval/config"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/textmatch/texttest"
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
		{name: "kinds and counts", entry: p, attrs: []kv{chat, outMsgs("Write to ana@fastmail.com or b.ruiz@gmx.de; SSN 529-41-8863.")}, verdict: Fail, reason: "pii found: email (2), ssn (1)"},
		{name: "kinds limited", entry: entry("p", "pii", map[string]any{"kinds": []any{"ssn"}}), attrs: []kv{chat, outMsgs("ana@fastmail.com")}, verdict: Pass},
		{name: "allow list", entry: entry("p", "pii", map[string]any{"allow": []any{"support@acme.io"}}), attrs: []kv{chat, outMsgs("Contact support@acme.io")}, verdict: Pass},
		{name: "reserved values ignored by default", entry: p, attrs: []kv{chat, outMsgs("Open http://127.0.0.1:8080, mail test@example.com, pay with 4242 4242 4242 4242.")}, verdict: Pass},
		{name: "ignore none reports them", entry: entry("p", "pii", map[string]any{"ignore": []any{}}), attrs: []kv{chat, outMsgs("Open http://127.0.0.1:8080, mail test@example.com, pay with 4242 4242 4242 4242.")}, verdict: Fail, reason: "pii found: email (1), credit_card (1), ip_address (1)"},
		{name: "ignore some", entry: entry("p", "pii", map[string]any{"ignore": []any{"test_values"}}), attrs: []kv{chat, outMsgs("Open http://127.0.0.1:8080, pay with 4242 4242 4242 4242.")}, verdict: Fail, reason: "pii found: ip_address (1)"},
		{name: "secret in tool result", entry: withTarget(p, "tool_result"), attrs: []kv{{"gen_ai.operation.name", "execute_tool"}, {"gen_ai.tool.name", "env"}, {"gen_ai.tool.call.result", `{"OPENAI_API_KEY":"sk-proj-` + strings.Repeat("k", 40) + `"}`}}, verdict: Fail, reason: "pii found: secret (1)"},
		{name: "absent", entry: p, attrs: []kv{chat}, verdict: Skip},
	})
}

// TestPIIReasonNeverHoldsTheValue checks every kind: the reason may say
// what was found, never the value itself.
func TestPIIReasonNeverHoldsTheValue(t *testing.T) {
	values := []string{
		"jane.roe@fastmail.com", "+1 415 867 2291", "4787 7893 2879 2170", "529-41-8863",
		"GB30NWBK18804917031797", "84.112.37.209", "AKIAQ3EGZ7X2NQ4B6W5M", "Tq8#vL2m-Zr91",
	}
	c := build(t, entry("p", "pii", nil))
	for _, val := range values {
		v := viewOf(t, chat, outMsgs("the password is: "+val+" ok"))
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

// TestScanBoundaries: sentence punctuation and brackets end a value.
func TestScanBoundaries(t *testing.T) {
	cases := []struct {
		text string
		want map[string][]string
	}{
		{"Paid with 4787 7893 2879 2170.", map[string][]string{"credit_card": {"4787 7893 2879 2170"}}},
		{"SSN 529-41-8863. Next", map[string][]string{"ssn": {"529-41-8863"}}},
		{"Call (312) 847-2291.", map[string][]string{"phone": {"(312) 847-2291"}}},
		{"Call +1 (212) 664 7183 (mobile).", map[string][]string{"phone": {"+1 (212) 664 7183"}}},
		{"It came from 185.220.101.47.", map[string][]string{"ip_address": {"185.220.101.47"}}},
		{"Your IP is 84.112.37.209 (Vienna).", map[string][]string{"ip_address": {"84.112.37.209"}}},
		{"Server 92.76.148.201:8443!", map[string][]string{"ip_address": {"92.76.148.201"}}},
		{"电话 090-3847-2215。", map[string][]string{"phone": {"090-3847-2215"}}},
		{"Mobil 0171 4839201; Tel. 06 12 48 93 70.", map[string][]string{"phone": {"0171 4839201", "06 12 48 93 70"}}},
		{"El teléfono de Ana es 612 345 678.", map[string][]string{"phone": {"612 345 678"}}},
		{"The applicant's SSN is 529418863.", map[string][]string{"ssn": {"529418863"}}},
		{"Order 529418863 shipped.", map[string][]string{}},
		// Still one token: versions, dates, decimals, ids.
		{"v1.2.3.4 and 3.14159 and 2024-03-15 14:22:01 and 1 428 627 663", map[string][]string{}},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, piiFound(tc.text, AllPIIKinds), tc.text)
	}
}

func TestScanCredentials(t *testing.T) {
	cases := []struct {
		text string
		want []string
	}{
		{"postgres://billing:Xk9mQ2vpL7tR@db:5432/billing", []string{"Xk9mQ2vpL7tR"}},
		{"The temporary password for Priya is Tq8#vL2m-Zr91.", []string{"Tq8#vL2m-Zr91"}},
		{"Das WLAN-Passwort lautet: Sonnenblume!2024#Kiel", []string{"Sonnenblume!2024#Kiel"}},
		{"https://example.com:8443/path and ssh://git@host", nil},
		{"The password is stored hashed; set a strong password.", nil},
		{"POSTGRES_PASSWORD_FILE: /run/secrets/db_password", nil},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, piiFound(tc.text, 1<<PIISecret)["secret"], tc.text)
	}
}

// TestPIIPolicy: each class of values that identify no one, and its
// nearest real value.
func TestPIIPolicy(t *testing.T) {
	cases := []struct {
		text  string
		class string // "" means reported
	}{
		{"127.0.0.1", "reserved_addresses"}, {"10.0.12.7", "reserved_addresses"}, {"172.16.4.10", "reserved_addresses"},
		{"192.168.1.1", "reserved_addresses"}, {"169.254.169.254", "reserved_addresses"}, {"100.94.12.7", "reserved_addresses"},
		{"192.0.2.44", "reserved_addresses"}, {"198.51.100.23", "reserved_addresses"}, {"203.0.113.9", "reserved_addresses"},
		{"224.0.0.251", "reserved_addresses"}, {"255.255.240.0", "reserved_addresses"}, {"12.0.0.0", "reserved_addresses"},
		{"8.8.8.8", "reserved_addresses"}, {"fe80::1ff:fe23:4567:890a", "reserved_addresses"}, {"2001:db8:1::10", "reserved_addresses"},
		{"fd12:3456:789a::1", "reserved_addresses"},
		{"84.112.37.209", ""}, {"2a02:8108:1a40:5e0:d1f4:3c2b:9e1a:77f2", ""},
		{"firmware 1.1.4.106", "lookalikes"}, {"section 4.2.1.3", "lookalikes"}, {"rules in 4.2.1.2", "lookalikes"},
		{"jane@example.com", "reserved_addresses"}, {"qa@staging.test", "reserved_addresses"}, {"ops@mail.localhost", "reserved_addresses"},
		{"ssh git@github.com", "reserved_addresses"}, {"first.last@acme.io", "placeholders"}, {"jane.roe@fastmail.com", ""},
		{"AKIAXXXXXXXXXXXXXXXX", "placeholders"}, {"AKIAIOSFODNN7EXAMPLE", "placeholders"}, {"AKIAQ3EGZ7X2NQ4B6W5M", ""},
		{"xoxb-your-bot-token-here", "placeholders"}, {"sk-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "placeholders"},
		{"postgres://user:password@localhost/db", "placeholders"}, {"postgres://app:app@db/x", "placeholders"},
		{"-----BEGIN PRIVATE KEY-----\n...base64 data...\n-----END PRIVATE KEY-----", "placeholders"},
		{"4242 4242 4242 4242", "test_values"}, {"5105105105105100", "test_values"}, {"4787 7893 2879 2170", ""},
		{"DE89 3704 0044 0532 0130 00", "test_values"}, {"DE40 2758 9290 0754 0091 71", ""},
		{"(212) 555-0147", "test_values"}, {"+44 7700 900123", "test_values"}, {"(312) 847-2291", ""},
		{"1-800-829-1040", "toll_free"}, {"(555) 123-4567", "test_values"}, {"123-456-7890", "test_values"},
		{"+1 212 555 0199", "test_values"}, {"+1 212 555 2671", ""}, {"06 12 48 93 70", ""}, {"347 219 8845", ""}, {"090-3847-2215", ""},
		{"admin@yourcompany.com", "placeholders"}, {"upgrade to 1.10.2.3", "lookalikes"},
		{"part number 337-19-4410", "lookalikes"}, {"SKU 204-33-1187", "lookalikes"}, {"Order #4716 2209 8815 3004", "lookalikes"},
		{"SSN 529-41-8863", ""},
	}
	for _, tc := range cases {
		var got []string
		ScanPII(tc.text, AllPIIKinds, func(k PIIKind, s, e int) {
			class := ""
			if c, ok := piiClassOf(tc.text, k, s, e); ok {
				class = c.String()
			}
			got = append(got, class)
		})
		if assert.Len(t, got, 1, tc.text) {
			assert.Equal(t, tc.class, got[0], tc.text)
		}
	}
}

func TestPIIBuildErrors(t *testing.T) {
	_, err := Build(config.Entries{User: []config.Evaluator{entry("x", "pii", map[string]any{"ignore": []any{"test_values", "private"}})}}, componenttest.NewNopTelemetrySettings())
	assert.ErrorContains(t, err, `"x": ignore[1]: unknown class "private"`)
	_, err = Build(config.Entries{User: []config.Evaluator{entry("x", "pii", map[string]any{"kinds": []any{"email", "passport"}})}}, componenttest.NewNopTelemetrySettings())
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

// sameNumbers: at every byte of s where scanPII may read a number,
// numberAt, which classifies only runs with eight digits or more or three
// dots, says what classifying every run says.
func sameNumbers(t *testing.T, s string) {
	t.Helper()
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isDigit(c) && c != '+' && c != '(' {
			continue
		}
		gotKind, gotEnd, got := numberAt(s, i, AllPIIKinds)
		var r numberRun
		var wantKind PIIKind
		var wantEnd int
		want := false
		if r.read(s, i) {
			wantKind, wantEnd, want = r.classify(s, i, AllPIIKinds)
		}
		if got != want || gotKind != wantKind || gotEnd != wantEnd {
			t.Fatalf("%q at %d: numberAt %v %v %d, classifying every run %v %v %d", s, i, got, gotKind, gotEnd, want, wantKind, wantEnd)
		}
	}
}

// TestNumberAtDifferential over the corpus and numbers of every shape.
func TestNumberAtDifferential(t *testing.T) {
	texts := append(corpusTexts(t), "7:05 and 9:40", "call +1 (212) 664 7183", "SSN 529-41-8863", "4111 1111 1111 1111",
		"10.0.0.1 and 185.220.101.47.", "0171 4839201", "06 12 48 93 70", "(312) 847-2291", "+44 7911 123456", "1.2.3",
		"1234567", "12345678", "+1234567", "+12345678", "v1.2.3.4", "123-45-678")
	for _, s := range texts {
		sameNumbers(t, s)
	}
}

func FuzzNumberAt(f *testing.F) {
	for _, s := range []string{"+1 (212) 664 7183", "529-41-8863", "4111 1111 1111 1111", "185.220.101.47", "7:05"} {
		f.Add(s)
	}
	f.Fuzz(sameNumbers)
}

// piiFind is one find of a scan.
type piiFind struct {
	kind       PIIKind
	start, end int
}

// scanPIIEveryByte is scanPII's loop reading every byte, as it did before
// it skipped to the bytes a case can start at: the reference of
// TestScanPIIDifferential.
func scanPIIEveryByte(text string, kinds PIIKinds) []piiFind {
	var out []piiFind
	found := func(k PIIKind, s, e int) { out = append(out, piiFind{k, s, e}) }
	wantNum := kinds&(1<<PIIPhone|1<<PIICreditCard|1<<PIISSN|1<<PIIIPAddress) != 0
	for i := 0; i < len(text); i++ {
		c := text[i]
		s, e, ok := 0, 0, false
		var kind PIIKind
		switch {
		case c == '@' && kinds.Has(PIIEmail):
			kind = PIIEmail
			s, e, ok = emailAround(text, i)
		case kinds.Has(PIIIBAN) && isUpper(c) && (i == 0 || !isAlnum(text[i-1])):
			kind, s = PIIIBAN, i
			e, ok = ibanAt(text, i)
		case wantNum && (isDigit(c) || c == '+' || c == '(') && (i == 0 || !isAlnum(text[i-1]) && text[i-1] != '.'):
			s = i
			kind, e, ok = numberAt(text, i, kinds)
		case c == ':' && kinds.Has(PIIIPAddress):
			kind = PIIIPAddress
			s, e, ok = ipv6Around(text, i)
		}
		if ok {
			found(kind, s, e)
			i = e - 1
		}
	}
	return out
}

// sameFinds checks scanPII (secrets left out) against scanPIIEveryByte,
// with every kind and with each kind alone.
func sameFinds(t *testing.T, text string) {
	t.Helper()
	kindSets := []PIIKinds{AllPIIKinds &^ (1 << PIISecret)}
	for k := range PIISecret {
		kindSets = append(kindSets, 1<<k)
	}
	for _, kinds := range kindSets {
		var got []piiFind
		scanPII(text, kinds, func(k PIIKind, s, e int) { got = append(got, piiFind{k, s, e}) }, secretGate{})
		if want := scanPIIEveryByte(text, kinds); !slices.Equal(got, want) {
			t.Fatalf("kinds %b in %q: scanPII finds %v, reading every byte %v", kinds, text, got, want)
		}
	}
}

// TestScanPIIDifferential: scanPII, which skips to the bytes a case can
// start at (eight at a time) and tries IBANs at their first digit, finds
// what reading every byte finds, on the corpus and on texts dense in the
// shapes' pieces at every offset.
func TestScanPIIDifferential(t *testing.T) {
	for _, s := range corpusTexts(t) {
		sameFinds(t, s)
	}
	pieces := []string{"DE89370400440532013000", "GB82 WEST 1234 5698 7654 32", "DE", "X", "a", "7", "0", " ", ".", "-", "@", "b.co", "x@y.org",
		"+", "(", ")", ":", "::1", "fe80::1", "1::", "::ffff:10.0.0.1", "2001:db8::8a2e:370:7334", "::", "Note: ", `"k":"v"`, "12:27", "1:2:3:4:5:6:7:8",
		"fe80:0000:0000:0000:0204:61ff:fe9d:f156", "12345::1", "abcd:", ":abcd", "::ffff:1.2.3.4", "10.0.0.1", "529-41-8863", "4111111111111111", "+1 (212) 664 7183", "(312) 847-2291", "é", "\xff", "SSN"}
	for _, p := range pieces {
		for pad := range 17 { // every alignment to the eight-byte words
			sameFinds(t, strings.Repeat("x", pad)+" "+p)
		}
	}
	for _, s := range texttest.Mixes(3, 20000, 12, pieces) {
		sameFinds(t, s)
	}
}

func FuzzScanPIIStops(f *testing.F) {
	for _, s := range []string{"IBAN DE89370400440532013000, DE89 3704 0044 0532 0130 00", "x@y.org AB12 +1 (212) 664 7183 fe80::1 10.0.0.1",
		"XDE89370400440532013000 1DE89370400440532013000 a.DE89370400440532013000", "4111111111111111@DE89370400440532013000"} {
		f.Add(s)
	}
	f.Fuzz(sameFinds)
}
