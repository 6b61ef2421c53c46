package signals

import "github.com/otelcol-llmeval/otelcol-llmeval/internal/textmatch"

// defaultPhrases are the documented English defaults, by category and leaf
// kind. Matching ignores case, spacing, quotes and apostrophes and needs
// whole words ("no" never fires inside "know"; "thanks" not in
// "thanksgiving"). Users add their own per "category.kind" in config.
var defaultPhrases = map[Category]map[string][]string{
	Misalignment: {
		"correction": {"no, I meant", "no I meant", "that's not what I meant", "that's not what I asked", "not what I asked",
			"you misunderstood", "you got it wrong", "that's wrong", "that is wrong", "that's incorrect", "that is incorrect",
			"I said", "I already said", "I already told you", "I told you", "wrong one", "not that one"},
		"rephrase": {"let me rephrase", "in other words", "to clarify", "what I mean is", "what I meant was", "let me be clear",
			"I'll say it again", "once again", "again,"},
		"clarification": {"what do you mean", "I don't understand", "I do not understand", "can you clarify", "could you clarify",
			"what does that mean", "that makes no sense", "that doesn't make sense", "I'm confused", "I am confused"},
	},
	Disengagement: {
		"escalation": {"speak to a human", "talk to a human", "speak to a person", "talk to a person", "real person", "human agent",
			"live agent", "speak to someone", "talk to someone", "customer service", "representative", "your manager",
			"a supervisor", "escalate"},
		"quit": {"forget it", "never mind", "nevermind", "I give up", "I'm done", "I am done", "I'll go elsewhere",
			"cancel everything", "I quit", "stop wasting my time"},
		"complaint": {"this is ridiculous", "ridiculous", "useless", "terrible", "awful", "frustrating", "frustrated",
			"annoying", "waste of time", "not helpful", "unhelpful", "doesn't work", "does not work", "you're not helping",
			"horrible", "worst"},
		"profanity": {"damn", "shit", "fuck", "fucking", "crap", "wtf", "bullshit", "screw this"},
	},
	Satisfaction: {
		"gratitude":    {"thank you", "thanks", "thx", "much appreciated", "appreciate it", "appreciate your help"},
		"confirmation": {"that works", "perfect", "great", "awesome", "exactly", "that's right", "sounds good", "looks good", "excellent"},
		"success":      {"it worked", "that worked", "that fixed it", "problem solved", "all set", "all good now", "works now"},
	},
	Failure: {
		"invalid_arguments": {"invalid argument", "invalid_argument", "invalid arguments", "invalid parameter", "invalid parameters",
			"missing required", "validation error", "validation failed", "bad request", "invalid input", "invalid value",
			"unexpected argument", "required property"},
		"unknown_tool": {"unknown tool", "tool not found", "no such tool", "unknown function", "function not found", "not a valid tool"},
		"auth": {"unauthorized", "forbidden", "permission denied", "access denied", "not authorized", "authentication failed",
			"invalid api key", "invalid token", "token expired", "status 401", "status 403", "http 401", "http 403"},
		"state_conflict": {"already exists", "conflict", "already been", "cannot be modified", "can't be modified", "not allowed in state",
			"already cancelled", "already canceled", "is locked"},
		"bad_query":    {"syntax error", "no such table", "no such column", "unknown column", "query failed", "invalid query", "sql error"},
		"error_result": {"error:", "exception:", "traceback", "failed to", "an error occurred"}, // the last: the OpenAI Agents SDK's result for a tool that threw
	},
	Exhaustion: {
		"rate_limit": {"rate limit", "rate_limit", "rate limited", "too many requests", "status 429", "http 429", "error 429",
			"quota exceeded", "exceeded your quota", "resource exhausted", "resource_exhausted", "insufficient_quota"},
		"server_error": {"internal server error", "bad gateway", "service unavailable", "gateway timeout", "status 500", "status 502",
			"status 503", "status 504", "http 500", "http 502", "http 503", "http 504", "overloaded"},
		"timeout": {"timed out", "timeout", "deadline exceeded", "deadline_exceeded", "took too long"},
		"network": {"connection refused", "connection reset", "econnrefused", "econnreset", "network error", "host unreachable",
			"name resolution", "socket hang up", "enotfound"},
		"malformed_response": {"unexpected token", "invalid json", "malformed", "failed to parse", "parse error", "unexpected end of json"},
		"context_overflow": {"context length", "context_length_exceeded", "maximum context length", "context window",
			"too many tokens", "prompt is too long", "input is too long"},
	},
}

// One pass over a text for several categories' phrases. The last user
// message is read for misalignment, disengagement and satisfaction, a tool
// result for failure and exhaustion: the detector's phrases are one list
// per category (textmatch.PhraseLists), so a text is normalised once and
// each of its words looked up once, for all the categories asked; each
// category finds what its phrases alone would.

// labelsOf is the set of the categories' phrase lists.
func labelsOf(cats ...Category) textmatch.Labels {
	var m textmatch.Labels
	for _, c := range cats {
		m |= textmatch.Label(c).Set()
	}
	return m
}

// The categories read in one pass: a user message's, a tool result's.
var (
	userCats      = labelsOf(Misalignment, Disengagement, Satisfaction)
	resultCats    = labelsOf(Failure, Exhaustion)
	failureCat    = labelsOf(Failure)
	exhaustionCat = labelsOf(Exhaustion)
)

// matchCats adds every phrase of the categories in cats found in text.
func (d *Detector) matchCats(cats textmatch.Labels, text string, f *Found) {
	if text == "" {
		return
	}
	var found [memoFound]int32
	if n, ok := d.phrasesIn(cats, text, false, &found); ok {
		for _, i := range found[:n] {
			f.Add(Category(d.phrases.Label(int(i))), d.kinds[i], 1)
		}
		return
	}
	bp := d.bufs.Get().(*[]byte)
	norm := textmatch.Normalize((*bp)[:0], text)
	d.phrases.EachOf(cats, norm, func(i, _, _ int) bool {
		f.Add(Category(d.phrases.Label(i)), d.kinds[i], 1)
		return true
	})
	*bp = norm
	d.bufs.Put(bp)
}

// reportsFailure reports whether a tool result holds a failure phrase.
// The result's phrases are looked up as failure() and toolSpanFailure read
// a result (resultCats): a result linked to its call here, read as the
// trailing result of a chat span and as its tool span's result is read
// once, the phrase memo serving the others. A result with more phrases
// than the memo keeps is read for its first failure phrase.
func (d *Detector) reportsFailure(text string) bool {
	if text == "" {
		return false
	}
	var phrases [memoFound]int32
	if n, ok := d.phrasesIn(resultCats, text, false, &phrases); ok {
		for _, i := range phrases[:n] {
			if Category(d.phrases.Label(int(i))) == Failure {
				return true
			}
		}
		return false
	}
	if n, ok := d.phrasesIn(failureCat, text, true, &phrases); ok {
		return n > 0
	}
	bp := d.bufs.Get().(*[]byte)
	norm := textmatch.Normalize((*bp)[:0], text)
	found := false
	d.phrases.EachOf(failureCat, norm, func(int, int, int) bool {
		found = true
		return false
	})
	*bp = norm
	d.bufs.Put(bp)
	return found
}

// userPhrases: the phrases of misalignment (the user corrects the agent,
// rephrases, asks what it means), disengagement (asks for a human, gives
// up, complains, swears) and satisfaction (thanks, confirms, reports
// success) in the last user message, in one pass. They come first in
// each of those categories, as when each category matched on its own.
func (d *Detector) userPhrases(c *conversation, f *Found) {
	d.matchCats(userCats, c.lastUserText(), f)
}
