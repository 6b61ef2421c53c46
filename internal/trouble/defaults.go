package trouble

// defaultTable is the one list of the shipped weights. prior is the
// documented starting point, graded by how directly a feature means
// trouble (reasoning below); weight is what ships: the prior after
// learning on the tau-bench airline train split, with the features below
// 1.2x lift on the dev split weighted down (BENCHMARKS.md, "Trouble score",
// and TestDefaultWeightsFromAirlineTrain, which recomputes the column).
//
// Priors:
//   - explicit negative feedback is the user saying so: 2;
//   - safety checks that failed (pii, destructive actions, unsafe SQL) are
//     worth a judge's look whatever the outcome: 2; any other failed check 1;
//   - loops (repetition without progress), giving up and escalation are
//     the failure modes users report: 1.5 to 1;
//   - tool failures and exhaustion are often recovered from: 0.8;
//   - misalignment and stagnation are weaker and noisier: 0.5 to 1;
//   - a runaway trajectory (over its configured steps, calls, tokens or
//     cost) is the costliest failure: 1.5;
//   - satisfaction is 0: thanks and confirmations come in failed
//     conversations as often as in solved ones (airline 1.03x and 1.06x,
//     retail 0.59x for confirmation), so they neither add nor subtract.
var defaultTable = []struct {
	feature       string
	prior, weight float64
}{
	{"feedback.negative", 2, 2},
	{"failed.pii", 2, 2},
	{"failed.destructive_action", 2, 2},
	{"failed.sql_safety", 2, 2},
	{"failed.refusal", 1, 0.34},
	{"failed.*", 1, 1},
	{"loop.same_call", 1.5, 1.5},
	{"loop.drifting_args", 1.5, 1.5},
	{"loop.oscillation", 1.5, 1.5},
	{"loop.*", 1, 1},
	{"disengagement.quit", 1.5, 1.5},
	{"disengagement.escalation", 1, 0.43},
	{"disengagement.complaint", 1, 0.89},
	{"disengagement.profanity", 1, 1},
	{"disengagement.shouting", 0.8, 0.8},
	{"disengagement.punctuation", 0.5, 0.5},
	{"disengagement.*", 1, 1},
	{"failure.error_result", 0.8, 0.42},
	{"failure.tool_error", 0.8, 0.42},
	{"failure.*", 0.8, 0.8},
	{"exhaustion.*", 0.8, 0.8},
	{"misalignment.correction", 1, 1},
	{"misalignment.near_duplicate", 0.8, 0.8},
	{"misalignment.rephrase", 0.5, 0.48},
	{"misalignment.*", 0.5, 0.5},
	{"stagnation.repeated_response", 1, 1},
	{"stagnation.too_many_turns", 0.8, 0.34},
	{"stagnation.*", 0.8, 0.8},
	{"satisfaction.*", 0, 0},
	{"runaway.*", 1.5, 1.5},
}

// Priors are the documented starting weights, before any data.
func Priors() Weights {
	w := Weights{}
	for _, r := range defaultTable {
		w[r.feature] = r.prior
	}
	return w
}

// Defaults are the shipped weights.
func Defaults() Weights {
	w := Weights{}
	for _, r := range defaultTable {
		w[r.feature] = r.weight
	}
	return w
}
