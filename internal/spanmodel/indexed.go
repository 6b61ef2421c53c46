package spanmodel

import (
	"slices"
	"strconv"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// Indexed layouts: gen_ai.prompt.N.* (OpenLLMetry) and
// llm.input_messages.N.message.* (OpenInference).

type idxField uint8

const (
	fRole idxField = iota
	fContent
	fFinish
	fToolCallID // message-level: the call a tool message answers
	fPartType
	fPartText
	fCallName
	fCallArgs
	fCallID
)

// idxEnt is one indexed attribute: message n, sub-item m (content part or
// tool call; -1 for message-level fields).
type idxEnt struct {
	n, m  int
	field idxField
	val   pcommon.Value
}

func (e *idxEnt) group() int {
	switch {
	case e.field >= fCallName:
		return 2
	case e.field >= fPartType:
		return 1
	}
	return 0
}

func compareIdx(a, b idxEnt) int {
	if a.n != b.n {
		return a.n - b.n
	}
	if ga, gb := a.group(), b.group(); ga != gb {
		return ga - gb
	}
	if a.m != b.m {
		return a.m - b.m
	}
	return int(a.field) - int(b.field)
}

// cutIndex reads a decimal index and the dot after it.
func cutIndex(s string) (int, string, bool) {
	i := 0
	for i < len(s) && i < 9 && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 || i >= len(s) || s[i] != '.' {
		return 0, "", false
	}
	n, _ := strconv.Atoi(s[:i])
	return n, s[i+1:], true
}

// indexedMessages collects the attributes under prefix (a second pass over
// the span's attributes), orders them by index and builds messages.
func (v *View) indexedMessages(prefix string, openInference bool, c *convo) {
	ents := v.ents[:0]
	for k, val := range v.span.Attributes().All() {
		rest, ok := strings.CutPrefix(k, prefix)
		if !ok {
			continue
		}
		var e idxEnt
		if openInference {
			e, ok = parseOpenInference(rest)
		} else {
			e, ok = parseFlat(rest)
		}
		if ok {
			e.val = val
			ents = append(ents, e)
		}
	}
	slices.SortFunc(ents, compareIdx)
	for i := 0; i < len(ents); {
		j := i
		for j < len(ents) && ents[j].n == ents[i].n {
			j++
		}
		if !v.addIndexedMsg(c, prefix, ents[i:j]) {
			break
		}
		i = j
	}
	v.ents = resetBuf(ents)
}

// addIndexedMsg builds one message from its sorted entries; false once
// MaxMessages is reached or a value cannot be read (the error is left in
// v.rd, naming the family as prefix*).
func (v *View) addIndexedMsg(c *convo, prefix string, ents []idxEnt) bool {
	key := prefix + "*"
	text := func(val pcommon.Value) string { return v.rd.part(key, val) }
	var role, content, finish, callID string
	hasContent := false
	k := 0
	for ; k < len(ents) && ents[k].m < 0; k++ {
		e := &ents[k]
		switch e.field {
		case fRole:
			role = text(e.val)
		case fContent:
			content, hasContent = text(e.val), true
		case fFinish:
			finish = text(e.val)
		case fToolCallID:
			callID = text(e.val)
		}
	}
	if v.rd.err != nil || !c.begin(role) {
		return false
	}
	c.setFinish(finish)
	if hasContent {
		if role == "tool" {
			c.addResult(ToolResult{ID: callID, Content: content})
		} else {
			c.addText(content)
		}
	}
	// Content parts and tool calls, grouped by their index m.
	for k < len(ents) {
		g, m := ents[k].group(), ents[k].m
		var typ, partText, name, args, id string
		hasText := false
		for ; k < len(ents) && ents[k].group() == g && ents[k].m == m; k++ {
			e := &ents[k]
			switch e.field {
			case fPartType:
				typ = text(e.val)
			case fPartText:
				partText, hasText = text(e.val), true
			case fCallName:
				name = text(e.val)
			case fCallArgs:
				args = text(e.val)
			case fCallID:
				id = text(e.val)
			}
		}
		if v.rd.err != nil {
			return false
		}
		if g == 1 {
			// OpenAI Responses parts are typed input_text / output_text.
			if hasText && (typ == "" || typ == "text" || typ == "input_text" || typ == "output_text") {
				c.addText(partText)
			}
		} else {
			c.addCall(ToolCall{ID: id, Name: name, Arguments: args})
		}
	}
	return true
}

// cutToolCall reads the rest of an indexed key "tool_calls.M.<field>" of
// message e; fields maps the layout's spelling of each tool-call field.
func cutToolCall(rest string, fields map[string]idxField, e idxEnt) (idxEnt, bool) {
	sub, found := strings.CutPrefix(rest, "tool_calls.")
	if !found {
		return e, false
	}
	var ok bool
	if e.m, sub, ok = cutIndex(sub); !ok {
		return e, false
	}
	if e.field, ok = fields[sub]; !ok {
		return e, false
	}
	return e, true
}
