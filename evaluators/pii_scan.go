package evaluators

import (
	"bytes"
	"fmt"
	"math/bits"
	"net/netip"
	"strings"
	"sync"

	"github.com/otelcol-llmeval/otelcol-llmeval/internal/textmatch"
)

// PIIKind is one kind of personal data or secret the scanner finds.
type PIIKind uint8

const (
	PIIEmail PIIKind = iota
	PIIPhone
	PIICreditCard
	PIISSN
	PIIIBAN
	PIIIPAddress
	PIISecret
	numPIIKinds
)

var piiKindNames = [numPIIKinds]string{"email", "phone", "credit_card", "ssn", "iban", "ip_address", "secret"}

func (k PIIKind) String() string { return piiKindNames[k] }

// PIIKinds is a set of kinds.
type PIIKinds uint16

// AllPIIKinds holds every kind.
const AllPIIKinds = PIIKinds(1<<numPIIKinds - 1)

func (s PIIKinds) Has(k PIIKind) bool { return s&(1<<k) != 0 }

// ParsePIIKinds reads kind names; an unknown one is an error naming it.
func ParsePIIKinds(names []string) (PIIKinds, error) {
	var s PIIKinds
	for i, n := range names {
		found := false
		for k, kn := range piiKindNames {
			if n == kn {
				s |= 1 << k
				found = true
			}
		}
		if !found {
			return 0, fmt.Errorf("[%d]: unknown kind %q (want one of %s)", i, n, strings.Join(piiKindNames[:], ", "))
		}
	}
	return s, nil
}

// ScanPII calls fn for each piece of personal data or secret of the given
// kinds in text, with its byte range (secrets first, then the rest in
// order). It reads text in one pass plus one
// substring search per secret prefix, so it is linear in len(text); every
// candidate is validated (Luhn for cards, mod-97 for IBANs, octet ranges for
// IPv4, reserved ranges for SSNs) to keep ids, versions and timestamps out.
func ScanPII(text string, kinds PIIKinds, fn func(kind PIIKind, start, end int)) {
	scanPII(text, kinds, fn, secretGate{})
}

// scanPII is ScanPII where gate tells which secret needles the text's
// literal scan hit.
func scanPII(text string, kinds PIIKinds, fn func(kind PIIKind, start, end int), gate secretGate) {
	if kinds.Has(PIISecret) {
		scanSecrets(text, fn, gate)
	}
	wantNum := kinds&(1<<PIIPhone|1<<PIICreditCard|1<<PIISSN|1<<PIIIPAddress) != 0
	// The loop reads, in order, the bytes where a case can start and no
	// earlier find has been read past (from). An IBAN starts with two
	// capitals and two digits: it is tried at its first digit, which is
	// where the loop goes next after those capitals, as it would be at
	// its first capital, since the second capital starts nothing
	// (TestScanPIIDifferential, FuzzScanPIIStops).
	from := 0
	for i := 0; i < len(text); {
		i = nextPIIByte(text, i)
		if i == len(text) {
			break
		}
		c := text[i]
		switch c {
		case '@':
			if !kinds.Has(PIIEmail) {
				break
			}
			if s, e, ok := emailAround(text, i); ok {
				fn(PIIEmail, s, e)
				i, from = e, e
				continue
			}
		case ':':
			if !kinds.Has(PIIIPAddress) || !ipv6Colon(text, i) {
				break
			}
			if s, e, ok := ipv6Around(text, i); ok {
				fn(PIIIPAddress, s, e)
				i, from = e, e
				continue
			}
		default: // a digit, '+' or '('
			if p := i - 2; isDigit(c) && kinds.Has(PIIIBAN) && p >= from && isUpper(text[p]) && isUpper(text[p+1]) && (p == 0 || !isAlnum(text[p-1])) {
				if e, ok := ibanAt(text, p); ok {
					fn(PIIIBAN, p, e)
					i, from = e, e
					continue
				}
			}
			if wantNum && (i == 0 || !isAlnum(text[i-1]) && text[i-1] != '.') {
				if kind, e, ok := numberAt(text, i, kinds); ok {
					fn(kind, i, e)
					i, from = e, e
					continue
				}
			}
			// A digit after a digit starts nothing: neither a number
			// (it follows a letter or digit) nor an IBAN's digits.
			for i++; isDigit(c) && i < len(text) && isDigit(text[i]); i++ {
			}
			continue
		}
		i++
	}
}

// nextPIIByte returns the offset of the first byte from i on at which a
// case of scanPII's loop can start ('@', ':', '+', '(' or a digit), or
// len(text). It tests eight bytes at a time: a byte's tests do not carry
// into the next one (the high bits are cleared first), and non-ASCII
// bytes, which start nothing, are masked out.
func nextPIIByte(text string, i int) int {
	const ones, highs = textmatch.Ones, textmatch.Highs
	for ; i+8 <= len(text); i += 8 {
		w := textmatch.Word(text[i : i+8])
		x := w &^ highs
		// Every stop is between '(' and '@': most words of prose have no
		// byte there, and need no closer look.
		if (x+(0x80-'(')*ones)&^(x+(0x80-'@'-1)*ones)&^w&highs == 0 {
			continue
		}
		digitColon := (x + (0x80-'0')*ones) &^ (x + (0x80-':'-1)*ones) // '0' to ':'
		// The high bit of this is clear in a byte equal to '@', '+' or '('.
		other := ((x ^ '@'*ones) + 0x7f*ones) & ((x ^ '+'*ones) + 0x7f*ones) & ((x ^ '('*ones) + 0x7f*ones)
		if m := (digitColon | ^other) &^ w & highs; m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
	}
	for i < len(text) && !piiStartByte[text[i]] {
		i++
	}
	return i
}

// piiStartByte marks the bytes nextPIIByte stops at.
var piiStartByte = func() (t [256]bool) {
	for c := range t {
		b := byte(c)
		t[c] = b == '@' || isDigit(b) || b == '+' || b == '(' || b == ':'
	}
	return t
}()

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
func isUpper(c byte) bool { return 'A' <= c && c <= 'Z' }
func isAlnum(c byte) bool {
	return isDigit(c) || isUpper(c) || 'a' <= c && c <= 'z'
}
func isHex(c byte) bool { return isDigit(c) || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

// emailAround checks for an address around the '@' at at.
func emailAround(text string, at int) (start, end int, ok bool) {
	local := func(c byte) bool { return isAlnum(c) || strings.IndexByte("._%+-", c) >= 0 }
	start = at
	for start > 0 && at-start < 64 && local(text[start-1]) {
		start--
	}
	for start < at && text[start] == '.' {
		start++
	}
	if start == at {
		return 0, 0, false
	}
	end = at + 1
	lastDot := -1
	for end < len(text) && end-at < 255 && (isAlnum(text[end]) || text[end] == '-' || text[end] == '.') {
		if text[end] == '.' {
			lastDot = end
		}
		end++
	}
	for end > at+1 && text[end-1] == '.' { // sentence-ending dot
		end--
		if lastDot == end {
			lastDot = strings.LastIndexByte(text[at:end], '.')
			if lastDot >= 0 {
				lastDot += at
			}
		}
	}
	if lastDot <= at+1 || end-lastDot-1 < 2 {
		return 0, 0, false
	}
	for i := lastDot + 1; i < end; i++ {
		if !('a' <= text[i]|0x20 && text[i]|0x20 <= 'z') {
			return 0, 0, false
		}
	}
	return start, end, true
}

// numberAt reads a run of digit groups starting at i and says what it is:
// SSN, credit card, phone or IPv4 address. Each shape needs its own digit
// grouping, so dates, times and order numbers stay out. A separator (space,
// '-', '.') joins two groups only when a digit follows it: a full stop, a
// bracket or a word after the number ends it, as in "…at 185.220.101.47."
// or "84.112.37.209 (Vienna)". One area code in brackets is read as a
// group: "(312) 847-2291", "+1 (212) 664 7183".
func numberAt(text string, i int, kinds PIIKinds) (PIIKind, int, bool) {
	if !mayBeLong(text, i) {
		return 0, 0, false
	}
	var r numberRun
	if !r.read(text, i) || r.n < 8 && r.dots < 3 {
		// Every shape classify accepts has eight digits or more, or an
		// IPv4 address's three dots: a time, a date, a count is not
		// classified (TestNumberAtDifferential).
		return 0, 0, false
	}
	return r.classify(text, i, kinds)
}

// mayBeLong reports whether the run numberRun.read reads from i may have
// eight digits or three dots, counting them in the bytes read may read:
// from i on, digits and the bytes it reads between them (' ', '-', '.',
// brackets, '+'), no further than 64 bytes (read reads groups only while
// it is within 40 bytes of i, and a group has at most 24 digits). Most
// numbers in prose (a count, a year, an order number) are ruled out here
// before read.
func mayBeLong(text string, i int) bool {
	digits, dots := 0, 0
	for j, end := i, min(len(text), i+64); j < end; j++ {
		switch c := text[j]; {
		case c-'0' <= 9:
			if digits++; digits == 8 {
				return true
			}
		case c == '.':
			if dots++; dots == 3 {
				return true
			}
		case c != ' ' && c != '-' && c != '(' && c != ')' && c != '+':
			return false
		}
	}
	return false
}

// numberRun is a run of digit groups read by numberRun.read.
type numberRun struct {
	digits                 [24]byte
	groups                 [8]uint8 // lengths of the digit runs
	n, ng, seps, dots, end int
	plus, paren            bool // a leading '+'; an area code in brackets was read
}

// read reads the run of digit groups starting at i; false when it is no
// candidate at all (too long, an unclosed bracket, part of a longer token).
func (r *numberRun) read(text string, i int) bool {
	digits, groups := &r.digits, &r.groups
	n, ng, seps, dots := 0, 0, 0, 0
	plus := text[i] == '+'
	paren := false // an area code in brackets was read
	open := text[i] == '('
	j := i
	if plus || open {
		j++
	}
	end := j
	for j < len(text) && j-i < 40 {
		c := text[j]
		if isDigit(c) {
			if ng == len(groups) {
				return false
			}
			ng++
			for j < len(text) && isDigit(text[j]) {
				if n == len(digits) {
					return false
				}
				digits[n] = text[j]
				groups[ng-1]++
				n++
				j++
			}
			end = j
			continue
		}
		var next byte
		if j+1 < len(text) {
			next = text[j+1]
		}
		switch {
		case c == ')' && open && ng >= 1 && groups[ng-1] == 3 && (ng == 1 || plus && ng == 2):
			open, paren = false, true
			j++
			if j+1 < len(text) && (text[j] == ' ' || text[j] == '-') && isDigit(text[j+1]) {
				seps++
				j++
			}
			continue
		case c == ' ' && next == '(' && plus && ng == 1 && !paren:
			open = true
			seps++
			j += 2
			continue
		case (c == ' ' || c == '-' || c == '.') && isDigit(next) && !open:
			if c == '.' {
				dots++
			} else {
				seps++
			}
			j++
			continue
		}
		break
	}
	if open || n == 0 {
		return false
	}
	if end < len(text) && isAlnum(text[end]) {
		return false // part of a longer token: a version, an id
	}
	r.n, r.ng, r.seps, r.dots, r.end, r.plus, r.paren = n, ng, seps, dots, end, plus, paren
	return true
}

// classify says what the run read from i is, if anything.
func (r *numberRun) classify(text string, i int, kinds PIIKinds) (PIIKind, int, bool) {
	n, ng, seps, dots, end, plus, paren := r.n, r.ng, r.seps, r.dots, r.end, r.plus, r.paren
	token := text[i:end]
	d := string(r.digits[:n])
	g := r.groups[:ng]
	switch {
	case dots == 3 && seps == 0 && !plus && !paren:
		if kinds.Has(PIIIPAddress) && validIPv4(token) {
			return PIIIPAddress, end, true
		}
	case dots > 0 && (seps > 0 || dots != 2):
	case plus:
		if kinds.Has(PIIPhone) && n >= 8 && n <= 15 && (ng == 1 || g[0] <= 3) {
			return PIIPhone, end, true
		}
	case kinds.Has(PIISSN) && n == 9 && !paren && dots == 0 && ssnShape(token) && validSSN(d):
		return PIISSN, end, true
	case kinds.Has(PIISSN) && n == 9 && ng == 1 && validSSN(d) && cueWithin(text, i, ssnCues):
		return PIISSN, end, true
	case kinds.Has(PIICreditCard) && n >= 13 && n <= 19 && !paren && dots == 0 && cardGroups(g) && luhn(d) && cardPrefix(d):
		return PIICreditCard, end, true
	case kinds.Has(PIIPhone) && nanpGroups(g) && (ng > 1 || paren):
		return PIIPhone, end, true
	case kinds.Has(PIIPhone) && !paren && nationalPhone(d, g):
		return PIIPhone, end, true
	case kinds.Has(PIIPhone) && dots == 0 && n >= 9 && n <= 12 && (ng > 1 || paren) && cueWithin(text, i, phoneCues):
		return PIIPhone, end, true
	}
	return 0, 0, false
}

// nationalPhone accepts a number in national format: the trunk prefix 0,
// 10 or 11 digits in two to five groups of at least two, as Germany
// (0171 4839201), France (06 12 48 93 70), the UK (07823 418906), Japan
// (090-3847-2215) or Australia (0412 873 509) write them.
func nationalPhone(d string, g []uint8) bool {
	if d[0] != '0' || len(d) < 10 || len(d) > 11 || len(g) < 2 || len(g) > 5 {
		return false
	}
	for _, x := range g {
		if x < 2 {
			return false
		}
	}
	return true
}

// phoneCues say that a grouped number is a phone number in a national
// format without a trunk prefix ("teléfono … 612 345 678").
var phoneCues = set("phone", "telephone", "tel", "mobile", "cell", "cellphone", "call", "fax", "whatsapp", "sms",
	"telefon", "telefono", "teléfono", "téléphone", "tél", "handy", "mobil", "móvil", "movil", "celular", "cellulare",
	"telefone", "portable", "rufnummer", "電話", "携帯", "電話番号")

// ssnCues say that a bare run of nine digits is a Social Security number.
var ssnCues = set("ssn", "ssns", "security", "social")

// nanpGroups accepts North American numbers: 3-3-4, or 1-3-3-4.
func nanpGroups(g []uint8) bool {
	if len(g) == 4 && g[0] == 1 {
		g = g[1:]
	}
	return len(g) == 3 && g[0] == 3 && g[1] == 3 && g[2] == 4
}

// cardGroups accepts a card number written compact, in fours, or as Amex
// writes it (4-6-5).
func cardGroups(g []uint8) bool {
	if len(g) == 1 {
		return true
	}
	if len(g) == 3 && g[0] == 4 && g[1] == 6 && (g[2] == 5 || g[2] == 4) {
		return true
	}
	for _, x := range g[:len(g)-1] {
		if x != 4 {
			return false
		}
	}
	return g[len(g)-1] >= 1 && g[len(g)-1] <= 4
}

// ssnShape accepts ddd-dd-dddd and ddd dd dddd.
func ssnShape(tok string) bool {
	return len(tok) == 11 && (tok[3] == '-' && tok[6] == '-' || tok[3] == ' ' && tok[6] == ' ')
}

func validSSN(d string) bool {
	area, group, serial := d[:3], d[3:5], d[5:]
	return area != "000" && area != "666" && area[0] != '9' && group != "00" && serial != "0000"
}

func luhn(d string) bool {
	sum, double := 0, false
	for i := len(d) - 1; i >= 0; i-- {
		v := int(d[i] - '0')
		if double {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
		double = !double
	}
	return sum%10 == 0
}

// cardPrefix keeps issuer ranges of the major networks (Visa, Mastercard,
// Amex, Discover, JCB, Diners, UnionPay), so Luhn-valid ids are not cards.
func cardPrefix(d string) bool {
	two := int(d[0]-'0')*10 + int(d[1]-'0')
	four := two*100 + int(d[2]-'0')*10 + int(d[3]-'0')
	switch {
	case d[0] == '4':
		return true
	case two >= 51 && two <= 55, four >= 2221 && four <= 2720:
		return true
	case two == 34 || two == 37 || two == 36 || two == 38 || two == 30:
		return true
	case four == 6011 || two == 65 || two == 62 || four >= 3528 && four <= 3589:
		return true
	}
	return false
}

func validIPv4(tok string) bool {
	a, err := netip.ParseAddr(tok)
	return err == nil && a.Is4() && !a.IsUnspecified()
}

// ipv6Colon reports whether the colon at i has another colon at most four
// hex digits after or before it, as every colon of an IPv6 address has:
// groups are one to four hex digits, "::" puts two colons side by side,
// and an IPv4 tail follows the last colon, which has a group and a colon
// before it. Most colons of prose, times and JSON ("Note: ", "9:30",
// `"key":"`) are turned away here, before ipv6Around reads around them
// (TestScanPIIDifferential).
func ipv6Colon(text string, i int) bool {
	for j, end := i+1, min(len(text), i+6); j < end; j++ {
		if c := text[j]; c == ':' {
			return true
		} else if !hexByte[c] {
			break
		}
	}
	for j, end := i-1, max(-1, i-6); j > end; j-- {
		if c := text[j]; c == ':' {
			return true
		} else if !hexByte[c] {
			break
		}
	}
	return false
}

// hexByte marks the bytes isHex accepts.
var hexByte = func() (t [256]bool) {
	for c := range t {
		t[c] = isHex(byte(c))
	}
	return t
}()

// ipv6Around checks for an IPv6 address containing the ':' at i.
func ipv6Around(text string, i int) (start, end int, ok bool) {
	part := func(c byte) bool { return isHex(c) || c == ':' || c == '.' }
	start, end = i, i
	for start > 0 && i-start < 45 && part(text[start-1]) {
		start--
	}
	for end < len(text) && end-start < 45 && part(text[end]) {
		end++
	}
	for end > i && text[end-1] == '.' {
		end--
	}
	if (start > 0 && isAlnum(text[start-1])) || (end < len(text) && isAlnum(text[end])) {
		return 0, 0, false
	}
	tok := text[start:end]
	if strings.Count(tok, ":") < 2 {
		return 0, 0, false
	}
	a, err := netip.ParseAddr(tok)
	if err != nil || !a.Is6() || a.IsUnspecified() || a.IsLoopback() {
		return 0, 0, false
	}
	return start, end, true
}

// ibanLengths is the IBAN length per country (ISO 13616 registry).
var ibanLengths = map[string]int{
	"AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BR": 29,
	"CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24,
	"FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HR": 21,
	"HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28,
	"LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MR": 27, "MT": 31,
	"MU": 30, "NL": 18, "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22,
	"SA": 24, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
}

// ibanAt reads an IBAN at i, compact or in groups of four separated by
// single spaces, and checks its length and mod-97 checksum.
func ibanAt(text string, i int) (int, bool) {
	if i+4 > len(text) || !isUpper(text[i+1]) || !isDigit(text[i+2]) || !isDigit(text[i+3]) {
		return 0, false
	}
	want, ok := ibanLengths[text[i:i+2]]
	if !ok {
		return 0, false
	}
	var buf [34]byte
	n, j := 0, i
	for j < len(text) && n < want {
		c := text[j]
		switch {
		case isDigit(c) || isUpper(c):
			buf[n] = c
			n++
		case c == ' ' && n%4 == 0 && j+1 < len(text) && isAlnum(text[j+1]):
		default:
			return 0, false
		}
		j++
	}
	if n != want || j < len(text) && isAlnum(text[j]) {
		return 0, false
	}
	// Move the country code and check digits to the end; letters count
	// as 10..35; the remainder mod 97 must be 1.
	rem := 0
	for k := 0; k < n; k++ {
		c := buf[(k+4)%n]
		if isDigit(c) {
			rem = (rem*10 + int(c-'0')) % 97
		} else {
			rem = (rem*100 + int(c-'A'+10)) % 97
		}
	}
	return j, rem == 1
}

// secretPrefix is how a provider's API keys and tokens start, and the
// shortest tail that makes one.
type secretPrefix struct {
	prefix  string
	minTail int
	tail    func(byte) bool
}

func keyChar(c byte) bool  { return isAlnum(c) || c == '_' || c == '-' }
func b64uChar(c byte) bool { return isAlnum(c) || c == '_' || c == '-' }

var secretPrefixes = []secretPrefix{
	{"AKIA", 16, isAlnum}, {"ASIA", 16, isAlnum}, // AWS access key IDs
	{"ghp_", 36, isAlnum}, {"gho_", 36, isAlnum}, {"ghu_", 36, isAlnum}, {"ghs_", 36, isAlnum}, {"ghr_", 36, isAlnum},
	{"github_pat_", 22, keyChar},
	{"sk-ant-", 20, keyChar}, {"sk-proj-", 20, keyChar}, {"sk-", 32, keyChar}, // Anthropic, OpenAI
	{"xoxb-", 10, keyChar}, {"xoxa-", 10, keyChar}, {"xoxp-", 10, keyChar}, {"xoxr-", 10, keyChar}, {"xoxs-", 10, keyChar}, // Slack
	{"sk_live_", 20, isAlnum}, {"rk_live_", 20, isAlnum}, // Stripe
	{"AIza", 35, keyChar}, // Google API keys
	{"glpat-", 20, keyChar},
}

// secretNeedles are the literals the secret scans start from: the
// prefixes, then the marks of PEM blocks, URLs and JWTs, then the password
// cues (secretBegin and on index them). They go into the literal
// automaton of each target pii reads.
var secretNeedles = func() []string {
	var out []string
	for _, p := range secretPrefixes {
		out = append(out, p.prefix)
	}
	out = append(out, "-----BEGIN ", "://", "eyJ")
	for _, c := range passwordCueBytes {
		out = append(out, string(c))
	}
	return out
}()

var (
	secretBegin = len(secretPrefixes)
	secretURL   = secretBegin + 1
	secretJWT   = secretBegin + 2
	secretCues  = secretBegin + 3
)

// secretGate tells the scans which secret needles may occur: those the
// literal scan hit. The zero gate lets every needle through.
type secretGate struct {
	lits *literals // nil in the zero gate, whose hits are nil too
	hits *textmatch.Hits
}

func (g secretGate) may(i int) bool { return g.hits == nil || g.lits.may(g.hits, i) }

func scanSecrets(text string, fn func(PIIKind, int, int), gate secretGate) {
	if gate.hits != nil && !gate.lits.mayAny(gate.hits) {
		return // every search below is gated by one of the needles
	}
	for i, p := range secretPrefixes {
		if !gate.may(i) {
			continue
		}
		for off := 0; off < len(text); {
			k := strings.Index(text[off:], p.prefix)
			if k < 0 {
				break
			}
			s := off + k
			e := s + len(p.prefix)
			for e < len(text) && p.tail(text[e]) {
				e++
			}
			if (s == 0 || !keyChar(text[s-1])) && e-s-len(p.prefix) >= p.minTail && !(p.prefix == "sk-" && (strings.HasPrefix(text[s:], "sk-ant-") || strings.HasPrefix(text[s:], "sk-proj-"))) {
				fn(PIISecret, s, e)
			}
			off = e
		}
	}
	for off := 0; gate.may(secretBegin) && off < len(text); {
		k := strings.Index(text[off:], "-----BEGIN ")
		if k < 0 {
			break
		}
		s := off + k
		head := text[s:min(len(text), s+64)]
		if nl := strings.Index(head, "-----\n"); nl > 0 && strings.Contains(head[:nl], "PRIVATE KEY") {
			e := len(text)
			if endIdx := strings.Index(text[s:], "-----END "); endIdx > 0 {
				e = s + endIdx + len("-----END ")
				if close := strings.Index(text[e:], "-----"); close >= 0 && close < 64 {
					e += close + 5
				}
			}
			fn(PIISecret, s, e)
			off = e
			continue
		}
		off = s + len("-----BEGIN ")
	}
	if gate.may(secretURL) {
		scanURLPasswords(text, fn)
	}
	scanPasswords(text, fn, gate)
	// JWTs: header.payload.signature, both JSON parts base64url of "{".
	for off := 0; gate.may(secretJWT) && off < len(text); {
		k := strings.Index(text[off:], "eyJ")
		if k < 0 {
			break
		}
		s := off + k
		e, parts := s, 0
		for parts < 3 {
			st := e
			for e < len(text) && b64uChar(text[e]) {
				e++
			}
			if e-st < 4 {
				break
			}
			parts++
			if parts < 3 && e < len(text) && text[e] == '.' && e+1 < len(text) {
				e++
				continue
			}
			break
		}
		if parts == 3 && (s == 0 || !b64uChar(text[s-1])) && strings.HasPrefix(text[strings.IndexByte(text[s:], '.')+s+1:], "eyJ") {
			fn(PIISecret, s, e)
			off = e
			continue
		}
		off = s + 3
	}
}

// scanURLPasswords finds the password of credentials written into a URL,
// scheme://user:password@host, as connection strings carry them.
func scanURLPasswords(text string, fn func(PIIKind, int, int)) {
	userinfo := func(c byte) bool {
		return isAlnum(c) || strings.IndexByte("-._~%!$&'()*+,;=<>{}:#", c) >= 0
	}
	for off := 0; off < len(text); {
		k := strings.Index(text[off:], "://")
		if k < 0 {
			return
		}
		s := off + k + 3
		off = s
		// user ":" password "@", within the authority.
		e := s
		for e < len(text) && e-s < 256 && userinfo(text[e]) {
			e++
		}
		if e >= len(text) || text[e] != '@' {
			continue
		}
		colon := strings.IndexByte(text[s:e], ':')
		if colon <= 0 || colon+1 == e-s {
			continue
		}
		fn(PIISecret, s+colon+1, e)
		off = e
	}
}

// passwordCues introduce a password, in the languages the corpus covers.
var passwordCueBytes = func() [][]byte {
	var out [][]byte
	for _, c := range []string{"password", "passwort", "kennwort", "passwd", "passphrase", "passcode", "mot de passe",
		"contraseña", "senha", "wachtwoord", "パスワード", "pwd"} {
		out = append(out, []byte(c))
	}
	return out
}()

// scanPasswords finds a password given after a cue word ("the password
// is …", "Passwort lautet: …", "pwd=…"): the first word within 60 bytes
// that looks like one, 8 characters or more mixing three of lower case,
// upper case, digits and symbols. Prose, paths and placeholders such as
// "change-me" or "<your-password>" do not.
func scanPasswords(text string, fn func(PIIKind, int, int), gate secretGate) {
	cued := false
	for i := range passwordCueBytes {
		cued = cued || gate.may(secretCues+i)
	}
	if !cued {
		return
	}
	bp := lowerBuffers.Get().(*[]byte)
	defer lowerBuffers.Put(bp)
	*bp = appendLowerASCII((*bp)[:0], text)
	lower := *bp
	for ci, cue := range passwordCueBytes {
		for off := 0; gate.may(secretCues+ci) && off < len(lower); {
			k := bytes.Index(lower[off:], cue)
			if k < 0 {
				break
			}
			s := off + k + len(cue)
			off = s
			if st := s - len(cue); st > 0 && isAlnum(lower[st-1]) {
				continue
			}
			for i := s; i < len(text) && i-s < 60 && text[i] != '\n'; {
				for i < len(text) && (text[i] == ' ' || strings.IndexByte(":=\"'`*", text[i]) >= 0) {
					i++
				}
				e := i
				for e < len(text) && text[e] != ' ' && text[e] != '\n' && text[e] != '"' && text[e] != '\'' && text[e] != '`' {
					e++
				}
				tok := strings.TrimRight(text[i:e], ".,;:!?)")
				if looksLikePassword(tok) {
					fn(PIISecret, i, i+len(tok))
					off = e
					break
				}
				if e == i {
					break
				}
				i = e
			}
		}
	}
}

func looksLikePassword(tok string) bool {
	if len(tok) < 8 || len(tok) > 128 {
		return false
	}
	var lower, upper, digit, symbol int
	for i := 0; i < len(tok); i++ {
		c := tok[i]
		switch {
		case 'a' <= c && c <= 'z':
			lower = 1
		case 'A' <= c && c <= 'Z':
			upper = 1
		case isDigit(c):
			digit = 1
		case c < 0x80:
			symbol = 1
		default:
			return false // words of other scripts are prose
		}
	}
	return lower+upper+digit+symbol >= 3 && !strings.ContainsAny(tok, "/\\")
}

// lowerBuffers hold lower-cased copies of texts, so a scan costs no
// allocation per span.
var lowerBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

// appendLowerASCII appends s with ASCII letters lower-cased, byte for byte
// (so offsets stay those of s).
func appendLowerASCII(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}
