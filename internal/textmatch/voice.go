package textmatch

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// OwnVoice calls fn with each stretch of s that the writer says in their
// own voice, leaving out what they quote or draft for someone else: fenced
// and inline code, text in double quotes (straight, curly, guillemets,
// „low-high“) or single quotes used as quotation marks, markdown
// blockquote lines, and letters (from a salutation line such as
// "Dear Ms. Cho," or "Hi Alex," standing alone, to the sign-off or the end).
// An answer that drafts a decline for its user, or explains what a chatbot
// said, is not itself declining. The stretches are in order and never
// overlap; nothing is allocated.
func OwnVoice(s string, fn func(part string)) {
	start := 0 // start of the current own-voice stretch
	emit := func(end int) {
		if end > start {
			fn(s[start:end])
		}
	}
	lineStart := true
	for i := 0; i < len(s); {
		if lineStart {
			// Skip leading spaces to look at the line's first character.
			j := i
			for j < len(s) && (s[j] == ' ' || s[j] == '\t') {
				j++
			}
			switch {
			case strings.HasPrefix(s[j:], "```") || strings.HasPrefix(s[j:], "~~~"):
				emit(i)
				i = skipFence(s, j)
				start = i
				continue
			case j < len(s) && s[j] == '>':
				emit(i)
				i = lineEnd(s, j)
				start = i
				continue
			case salutation(s[j:lineEnd(s, j)]) || hasPrefixFold(s[j:], "subject:"):
				emit(i)
				i = letterEnd(s, lineEnd(s, j))
				start = i
				continue
			}
			lineStart = false
		}
		// Bytes other than voiceStops do nothing below but move on: skip
		// them at once.
		if i = voiceStops.Next(s, i); i == len(s) {
			break
		}
		c := s[i]
		if c == '\n' {
			lineStart = true
			i++
			continue
		}
		if c == ':' && introduces(s[lineBegin(s, start, i):i]) {
			// "You could say: …", "Here's a draft:\n\n…": what follows
			// on the line, or the next paragraph when the colon ends the
			// line, is drafted.
			emit(i + 1)
			e := lineEnd(s, i)
			if strings.TrimSpace(s[i+1:e]) == "" {
				e = paragraphEnd(s, e)
			}
			i = e
			start = i
			lineStart = true
			continue
		}
		if c == '`' {
			if e := strings.IndexByte(s[i+1:], '`'); e >= 0 && !strings.Contains(s[i+1:i+1+e], "\n") {
				emit(i)
				i += e + 2
				start = i
				continue
			}
		}
		if c < utf8.RuneSelf && c != '"' && c != '\'' {
			i++ // a colon or backtick that starts nothing
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if closing, ok := quoteClose(s, i, r); ok {
			if e := quoteEnd(s, i+size, closing); e > 0 {
				emit(i)
				i = e
				start = i
				continue
			}
		}
		i += size
	}
	emit(len(s))
}

// voiceStops are the bytes OwnVoice reads on its own: line breaks,
// colons, backticks, straight quotes and non-ASCII bytes.
var voiceStops = NewStops("\n:`\"'", true)

// quoteClose says whether the rune r at i opens a quotation, and which
// rune closes it. A straight or curly single quote opens one only where
// it cannot be an apostrophe: not after a letter or digit.
func quoteClose(s string, i int, r rune) (rune, bool) {
	switch r {
	case '"':
		return '"', true
	case '“':
		return '”', true
	case '„':
		return '“', true
	case '«':
		return '»', true
	case '‘', '\'':
		if i > 0 {
			p, _ := utf8.DecodeLastRuneInString(s[:i])
			if unicode.IsLetter(p) || unicode.IsDigit(p) {
				return 0, false
			}
		}
		if r == '‘' {
			return '’', true
		}
		return '\'', true
	}
	return 0, false
}

// maxQuote bounds a quotation: an unmatched quote mark must not hide the
// rest of a long answer.
const maxQuote = 2000

// quoteEnd finds the end (after the closing mark) of a quotation whose
// text starts at from, within the paragraph; 0 when there is none. A
// closing single quote must not be followed by a letter (that is an
// apostrophe, as in "can't").
func quoteEnd(s string, from int, closing rune) int {
	for i := from; i < len(s) && i-from < maxQuote; {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == '\n' && i+1 < len(s) && s[i+1] == '\n' {
			return 0
		}
		if r == closing || closing == '”' && r == '"' {
			next, _ := utf8.DecodeRuneInString(s[i+size:])
			if (closing == '\'' || closing == '’') && (unicode.IsLetter(next) || unicode.IsDigit(next)) {
				i += size
				continue
			}
			return i + size
		}
		i += size
	}
	return 0
}

func lineEnd(s string, i int) int {
	if e := strings.IndexByte(s[i:], '\n'); e >= 0 {
		return i + e + 1
	}
	return len(s)
}

// skipFence returns the end of the fenced code block opening at i (after
// the closing fence line), or the end of s when it is not closed.
func skipFence(s string, i int) int {
	fence := s[i : i+3]
	i = lineEnd(s, i)
	for i < len(s) {
		j := i
		for j < len(s) && (s[j] == ' ' || s[j] == '\t') {
			j++
		}
		if strings.HasPrefix(s[j:], fence) {
			return lineEnd(s, j)
		}
		i = lineEnd(s, i)
	}
	return len(s)
}

var salutations = []string{"dear ", "hi ", "hello ", "hey ", "good morning", "good afternoon", "good evening", "to whom it may concern"}

// salutation reports whether a line is a letter's salutation standing
// alone: "Dear Ms. Cho," "Hi Alex," "Hello team!" — short, opening with a
// greeting and ending with a comma or an exclamation mark.
func salutation(line string) bool {
	line = strings.TrimSpace(line)
	if len(line) < 3 || len(line) > 60 {
		return false
	}
	if last := line[len(line)-1]; last != ',' && last != '!' {
		return false
	}
	lower := strings.ToLower(line)
	for _, g := range salutations {
		if strings.HasPrefix(lower, g) || strings.TrimSuffix(lower[:len(lower)-1], " ") == strings.TrimSpace(g) {
			return true
		}
	}
	return false
}

var signOffs = []string{"kind regards", "best regards", "warm regards", "regards", "best wishes", "best", "sincerely", "yours sincerely", "yours faithfully", "yours truly", "thanks", "thank you", "many thanks", "cheers", "all the best", "warmly"}

// letterEnd returns the end of a letter whose body starts at i: after
// the line following its sign-off (the signature), or the end of s.
func letterEnd(s string, i int) int {
	for i < len(s) {
		e := lineEnd(s, i)
		line := strings.ToLower(strings.TrimSpace(s[i:e]))
		line = strings.TrimRight(line, ",.!")
		for _, so := range signOffs {
			if line == so {
				// The signature line, if any, belongs to the letter.
				if e < len(s) {
					return lineEnd(s, e)
				}
				return e
			}
		}
		i = e
	}
	return len(s)
}

// introWords, before a colon, introduce words written for someone else:
// "You could say:", "Here's a draft:", "A typical refusal is:",
// "Translation:".
var introWords = []string{"say", "saying", "reply", "respond", "write", "wording", "message", "email", "e-mail",
	"note", "text", "template", "draft", "look", "like", "translation", "translated", "example", "e.g.",
	"refusal", "phrase", "script", "letter", "sample", "quote", "quoted"}

// introduces reports whether the text before a colon (within its line)
// ends an introduction to drafted or quoted words.
func introduces(before string) bool {
	for i := 0; i < len(before); i++ {
		if before[i] >= utf8.RuneSelf {
			return introducesSlow(before)
		}
	}
	// ASCII, read in place and in one pass (a colon in every answer must
	// not allocate): Fields splits on the same ASCII spaces, lower-casing
	// maps only A-Z, and the trimmed marks are ASCII (FuzzIntroduces).
	n, found := 0, false
	for rest := before; ; {
		var f string
		if f, rest = nextASCIIField(rest); f == "" {
			return found
		}
		if n++; n > 12 {
			return false
		}
		found = found || introWord(f)
	}
}

// introWord reports whether an ASCII field, trimmed of introTrim and
// lower-cased, is one of introWords.
func introWord(f string) bool {
	for len(f) > 0 && introTrimSet[f[0]] {
		f = f[1:]
	}
	for len(f) > 0 && introTrimSet[f[len(f)-1]] {
		f = f[:len(f)-1]
	}
	if len(f) == 0 || len(f) >= len(introByShape) {
		return false
	}
	c := LowerASCII(f[0])
	if c < 'a' || c > 'z' {
		return false
	}
	for _, w := range introByShape[len(f)][c-'a'] {
		if len(f) == len(w) && HasPrefixLowerASCII(f, w) {
			return true
		}
	}
	return false
}

// introByShape holds introWords by length and first letter (all are
// shorter than 16 and start with a-z); introTrimSet marks introTrim.
var (
	introByShape [16][26][]string
	introTrimSet [256]bool
)

func init() {
	for _, w := range introWords {
		if len(w) >= len(introByShape) || w[0] < 'a' || w[0] > 'z' {
			panic("introWords: " + w + " is not a word introduces reads")
		}
		introByShape[len(w)][w[0]-'a'] = append(introByShape[len(w)][w[0]-'a'], w)
	}
	for i := 0; i < len(introTrim); i++ {
		introTrimSet[introTrim[i]] = true
	}
}

// introTrim are the marks around a word of an introduction.
const introTrim = ",.!?*_\"'()"

// nextASCIIField returns the first field of s split on the ASCII spaces
// strings.Fields splits on, and what follows it; "" when there is none.
func nextASCIIField(s string) (field, rest string) {
	i := 0
	for i < len(s) && asciiSpace(s[i]) {
		i++
	}
	j := i
	for j < len(s) && !asciiSpace(s[j]) {
		j++
	}
	return s[i:j], s[j:]
}

func asciiSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// introducesSlow is introduces for any text.
func introducesSlow(before string) bool {
	fields := strings.Fields(strings.ToLower(before))
	if len(fields) == 0 || len(fields) > 12 {
		return false
	}
	for _, f := range fields {
		f = strings.Trim(f, introTrim)
		for _, w := range introWords {
			if f == w {
				return true
			}
		}
	}
	return false
}

// lineBegin returns where the line holding i starts, not before from.
func lineBegin(s string, from, i int) int {
	if k := strings.LastIndexByte(s[from:i], '\n'); k >= 0 {
		return from + k + 1
	}
	return from
}

// paragraphEnd returns the end of the paragraph starting at or after i
// (blank lines before it skipped): the start of the next blank line, or
// the end of s.
func paragraphEnd(s string, i int) int {
	for i < len(s) && strings.TrimSpace(s[i:lineEnd(s, i)]) == "" {
		i = lineEnd(s, i)
	}
	for i < len(s) {
		e := lineEnd(s, i)
		if strings.TrimSpace(s[i:e]) == "" {
			return i
		}
		i = e
	}
	return len(s)
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}
