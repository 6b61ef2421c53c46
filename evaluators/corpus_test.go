package evaluators

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-llmeval/otelcol-llmeval/config"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spanmodel"
)

// corpusCase is one line of testdata/corpus/<evaluator>.jsonl (format in
// testdata/corpus/LABELLING.md's companion brief).
type corpusCase struct {
	ID     string         `json:"id"`
	Label  string         `json:"label"`
	Class  string         `json:"class"`
	Span   corpusSpan     `json:"span"`
	Config map[string]any `json:"config"`
}

type corpusSpan struct {
	Name       string         `json:"name"`
	Attributes map[string]any `json:"attributes"`
}

func loadCorpus(t *testing.T, evaluator string) []corpusCase {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "testdata", "corpus", evaluator+".jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []corpusCase
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var c corpusCase
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatalf("%s: %v", evaluator, err)
		}
		cases = append(cases, c)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return cases
}

// corpusSplitOfID is the calibrate split of the case's trace ID (first 16
// bytes of SHA-256 of the case ID, in hex).
func corpusSplitOfID(id string) string {
	sum := sha256.Sum256([]byte(id))
	h := fnv.New32a()
	h.Write([]byte(hex.EncodeToString(sum[:16])))
	switch p := h.Sum32() % 100; {
	case p < 20:
		return "train"
	case p < 60:
		return "dev"
	}
	return "test"
}

func corpusTraces(c corpusCase) ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	sp := rs.ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	sum := sha256.Sum256([]byte(c.ID))
	sp.SetTraceID(pcommon.TraceID(sum[:16]))
	sp.SetSpanID(pcommon.SpanID(sum[:8]))
	sp.SetName(c.Span.Name)
	for k, v := range c.Span.Attributes {
		switch x := v.(type) {
		case string:
			sp.Attributes().PutStr(k, x)
		case bool:
			sp.Attributes().PutBool(k, x)
		case float64:
			if x == float64(int64(x)) {
				sp.Attributes().PutInt(k, int64(x))
			} else {
				sp.Attributes().PutDouble(k, x)
			}
		default:
			b, _ := json.Marshal(x)
			sp.Attributes().PutStr(k, string(b))
		}
	}
	return td
}

type corpusCounts struct{ tp, fp, fn, tn int }

func (c corpusCounts) precision() float64 { return float64(c.tp) / float64(max(1, c.tp+c.fp)) }
func (c corpusCounts) recall() float64    { return float64(c.tp) / float64(max(1, c.tp+c.fn)) }

// runCorpus evaluates every case with an evaluator of the given type built
// from the case's config, and counts verdicts per split.
func runCorpus(t *testing.T, typ string) (map[string]*corpusCounts, []string) {
	counts := map[string]*corpusCounts{"train": {}, "dev": {}, "test": {}}
	var misses []string
	built := map[string]*Check{}
	for _, c := range loadCorpus(t, typ) {
		key, _ := json.Marshal(c.Config)
		chk := built[string(key)]
		if chk == nil {
			e := config.Evaluator{Name: typ, Type: typ, Settings: map[string]any{}}
			for k, v := range c.Config {
				if k == "target" {
					e.Target = v.(string)
					continue
				}
				e.Settings[k] = v
			}
			checks, err := Build(config.Entries{User: []config.Evaluator{e}}, componenttest.NewNopTelemetrySettings())
			if err != nil {
				t.Fatalf("%s: %v", c.ID, err)
			}
			chk = checks[0]
			built[string(key)] = chk
		}
		td := corpusTraces(c)
		rs := td.ResourceSpans().At(0)
		var v spanmodel.View
		v.Reset(rs, rs.ScopeSpans().At(0), rs.ScopeSpans().At(0).Spans().At(0))
		r := chk.Evaluate(context.Background(), &v)
		v.Release()
		got := r.Verdict == Fail
		want := c.Label == "fail"
		cc := counts[corpusSplitOfID(c.ID)]
		switch {
		case got && want:
			cc.tp++
		case got && !want:
			cc.fp++
			misses = append(misses, fmt.Sprintf("FP %s %s [%s] %s", corpusSplitOfID(c.ID), c.ID, c.Class, r.Reason))
		case !got && want:
			cc.fn++
			misses = append(misses, fmt.Sprintf("FN %s %s [%s] verdict=%s %s", corpusSplitOfID(c.ID), c.ID, c.Class, r.Verdict, r.Reason))
		default:
			cc.tn++
		}
	}
	sort.Strings(misses)
	return counts, misses
}

// TestCorpusLocal runs the labelled corpora of the evaluators whose
// corpus runs in-process here and holds the test split to the project's
// bar: precision >= 0.95 and recall >= 0.90. CORPUS_MISSES=1 lists the
// train and dev misses with their class.
func TestCorpusLocal(t *testing.T) {
	for _, typ := range []string{"destructive_action", "sql_safety", "grounding", "json_schema"} {
		t.Run(typ, func(t *testing.T) {
			counts, misses := runCorpus(t, typ)
			for _, s := range []string{"dev", "test"} {
				c := counts[s]
				t.Logf("%s %s: precision %.3f recall %.3f (tp %d fp %d fn %d tn %d)", typ, s, c.precision(), c.recall(), c.tp, c.fp, c.fn, c.tn)
			}
			test := counts["test"]
			if test.tp+test.fn < 30 || test.tn+test.fp < 30 {
				t.Errorf("%s: test split too small (%d positives, %d negatives)", typ, test.tp+test.fn, test.tn+test.fp)
			}
			if test.precision() < 0.95 || test.recall() < 0.90 {
				t.Errorf("%s test split: precision %.3f (want >= 0.95), recall %.3f (want >= 0.90)", typ, test.precision(), test.recall())
			}
			// Misses of the train and dev splits only: the test split is
			// for reporting, not for tuning.
			if os.Getenv("CORPUS_MISSES") != "" {
				var shown []string
				for _, m := range misses {
					if !strings.Contains(m, " test ") {
						shown = append(shown, m)
					}
				}
				t.Log("\n" + strings.Join(shown, "\n"))
			}
		})
	}
}
