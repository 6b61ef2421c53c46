package main

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"text/tabwriter"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-llmeval/otelcol-llmeval/internal/trouble"
)

// scoreBuckets are the upper bounds of the score distribution's rows.
var scoreBuckets = []float64{0, 1, 2, 4, 8}

// targetShares are the target_ratio values replay says what they would send.
var targetShares = []float64{0.05, 0.1, 0.2, 0.3, 0.4}

type scoredTrace struct {
	id    pcommon.TraceID
	score float64
	c     trouble.Counts
}

// printScores reports the trouble score of every trace replayed: its
// distribution, what each target share would send, and why each trace the
// judge got was chosen (at most why of them, highest scores first).
func printScores(w io.Writer, tt *traceTally, weights trouble.Weights, reasonOf map[pcommon.TraceID]string, why int) {
	if len(tt.byID) == 0 {
		return
	}
	all := make([]scoredTrace, 0, len(tt.byID))
	for id, tf := range tt.byID {
		all = append(all, scoredTrace{id: id, score: weights.Score(tf.features), c: tf.features})
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].score != all[j].score {
			return all[i].score > all[j].score
		}
		return all[i].id.String() < all[j].id.String()
	})
	n := len(all)
	fmt.Fprintf(w, "\ntrouble score of %d traces (the config's weights):\n", n)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "score\ttraces\tshare")
	counts := make([]int, len(scoreBuckets)+1)
	for _, s := range all {
		i := sort.SearchFloat64s(scoreBuckets, s.score) // first bound >= score
		counts[i]++
	}
	for i, c := range counts {
		label := ""
		switch {
		case i == 0:
			label = "0"
		case i == len(scoreBuckets):
			label = fmt.Sprintf("> %g", scoreBuckets[i-1])
		default:
			label = fmt.Sprintf("%g < s <= %g", scoreBuckets[i-1], scoreBuckets[i])
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\n", label, c, fmtPct(ratio(c, n)))
	}
	_ = tw.Flush()

	troubled := 0
	for _, s := range all {
		if s.score > 0 {
			troubled++
		}
	}
	fmt.Fprintf(w, "\nwhat target_ratio would send (only traces scoring above 0; %d here):\n", troubled)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "target_ratio\ttraces sent\tlowest score sent")
	for _, share := range targetShares {
		k := min(int(math.Round(share*float64(n))), troubled)
		lowest := "-"
		if k > 0 {
			lowest = fmt.Sprintf("%g", trouble.Round(all[k-1].score))
		}
		fmt.Fprintf(tw, "%g\t%d\t%s\n", share, k, lowest)
	}
	_ = tw.Flush()

	if len(reasonOf) == 0 || why <= 0 {
		return
	}
	fmt.Fprintf(w, "\nwhy the judge got each trace (highest scores first, at most %d):\n", why)
	shown := 0
	for _, s := range all {
		reason, ok := reasonOf[s.id]
		if !ok {
			continue
		}
		if shown == why {
			fmt.Fprintf(w, "  ... and %d more\n", len(reasonOf)-why)
			break
		}
		shown++
		var parts []string
		for _, c := range weights.Explain(s.c, 4) {
			parts = append(parts, fmt.Sprintf("%s %g", c.Feature, trouble.Round(c.Value)))
		}
		because := strings.Join(parts, " + ")
		if because == "" {
			because = "nothing scored"
		}
		fmt.Fprintf(w, "  trace %s  %-16s score %-6g = %s\n", s.id, reason, trouble.Round(s.score), because)
	}
}
