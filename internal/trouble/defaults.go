package trouble

// defaultTable is the one list of the shipped weights. prior is the
// documented starting point, set before looking at any data by how
// directly a feature means trouble in any domain (reasoning below);
// weight is what ships: the prior fitted on the labelled tau-bench airline
// traces (train and dev), each weight kept within a factor 2 of its prior,
// the pull towards the prior chosen by cross-validation (BENCHMARKS.md,
// "Trouble score", and TestDefaultWeightsFromAirline, which recomputes the
// column).
//
// Priors:
//   - the user saying something went wrong is evidence of failure in any
//     domain: explicit negative feedback 2; giving up 1.5; asking for a
//     human, complaining, swearing, correcting the agent 1; not
//     understanding it, saying the same thing again 0.8; shouting 0.8;
//     rephrasing and piled-up "?!" 0.5 (also plain emphasis);
//   - safety checks that failed (pii, destructive actions, unsafe SQL) are
//     worth a judge's look whatever the outcome: 2; any other failed check
//     1, except refusal, 0.25: declining is what a policy-bound agent
//     should often do (on airline refusals come with solved tasks), so
//     what it means depends on the system;
//   - loops (repetition without progress) are the failure mode agents
//     show: 1.5; the agent repeating its own answer 1;
//   - tool failures are often recovered from (a failing test before the
//     fix): 0.5 each, and one failed call usually carries two kinds (its
//     error status and an error text), 1 together; exhaustion 0.8;
//   - more user turns than the baseline: 0.8, weaker than the user saying
//     so (long tasks are not all failed tasks; airline 1.15x, retail
//     1.96x);
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
	{"failed.refusal", 0.25, 0.13},
	{"failed.*", 1, 1},
	{"loop.same_call", 1.5, 1.5},
	{"loop.drifting_args", 1.5, 1.53},
	{"loop.oscillation", 1.5, 1.53},
	{"loop.*", 1, 1},
	{"disengagement.quit", 1.5, 1.5},
	{"disengagement.escalation", 1, 0.89},
	{"disengagement.complaint", 1, 0.97},
	{"disengagement.profanity", 1, 1},
	{"disengagement.shouting", 0.8, 0.8},
	{"disengagement.punctuation", 0.5, 0.5},
	{"disengagement.*", 1, 1},
	{"misalignment.correction", 1, 1},
	{"misalignment.clarification", 0.8, 0.82},
	{"misalignment.near_duplicate", 0.8, 0.8},
	{"misalignment.rephrase", 0.5, 0.45},
	{"misalignment.*", 0.5, 0.5},
	{"stagnation.repeated_response", 1, 0.98},
	{"stagnation.too_many_turns", 0.8, 0.78},
	{"stagnation.*", 0.8, 0.8},
	{"failure.error_result", 0.5, 0.61},
	{"failure.tool_error", 0.5, 0.6},
	{"failure.*", 0.5, 0.5},
	{"exhaustion.*", 0.8, 0.8},
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
