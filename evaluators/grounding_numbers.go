package evaluators

import (
	"math"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Figures in grounded answers are rarely copied verbatim: 4187332 becomes
// "$4.19 million", 0.125 becomes "12.5%", 31 (°C) becomes "about 88 °F",
// 2024-08-14T15:20:00Z becomes "8:20 AM PDT on August 14". This file reads
// quantities, dates and times the same way on both sides, so a figure is
// found in the context by value:
//
//   - numbers with thousands separators (1,284 / 1.284 / 1 250 / 1'250),
//     decimal points or commas (several readings when ambiguous), a sign,
//     currency symbols and codes (ignored), percent, scale words and
//     suffixes (k, M, bn, million, Mrd., Mio.) and units;
//   - units from the text (km, °F, ms, kWh ...) or, in the context, from a
//     JSON or YAML key's last segment (weight_kg, duration_s, high_c);
//   - a figure matches when it equals a context value rounded to the
//     precision the answer writes (99.95% for 0.99953, 12.85M for
//     12,845,000); hedged figures ("about 650,000") and unit conversions
//     may also round their trailing zeros, within 5%;
//   - percent claims match fractions (12.5% for 0.125) and fractions match
//     percents (0.15 for 15%);
//   - dates in ISO, D.M.Y, D/M/Y or M/D/Y, "August 14, 2024", "14 August",
//     "1er octobre" (English, French, German, Spanish month names); times
//     as 24-hour or AM/PM clock readings with an optional zone (UTC, Z, an
//     ISO offset, EDT, CEST ...), compared in UTC when both have one.

// quantity is one number as read from text.
type quantity struct {
	vals    [2]float64 // readings (an ambiguous separator gives two), scale applied
	tols    [2]float64 // half the precision each reading is written to
	n       int        // readings in vals
	unit    string     // canonical unit, "" when none
	percent bool
	scaled  bool    // a scale word or suffix (k, million ...)
	scale   float64 // its factor
	letter  bool    // the scale was one glued letter (52m, 12k): maybe a unit
	label   bool    // a word no unit follows (12 participants, 18 mmHg)
	money   bool    // a currency symbol or code
	hedged  bool    // about, roughly, ~ ...
	digits  int     // significant digits written, separators excluded
	zeros   int     // trailing zeros of an integer reading
}

type unitInfo struct {
	dim    string
	factor float64 // to the dimension's base unit
}

// units maps unit spellings (lower case) to canonical units.
var unitAliases = map[string]string{
	"mm": "mm", "cm": "cm", "m": "m", "km": "km", "in": "in", "inch": "in", "inches": "in", "ft": "ft", "feet": "ft",
	"foot": "ft", "mi": "mi", "mile": "mi", "miles": "mi", "yd": "yd", "yards": "yd",
	"mg": "mg", "g": "g", "gram": "g", "grams": "g", "kg": "kg", "kilogram": "kg", "kilograms": "kg", "kilo": "kg", "kilos": "kg",
	"lb": "lb", "lbs": "lb", "pound": "lb", "pounds": "lb", "oz": "oz", "ounce": "oz", "ounces": "oz",
	"t": "t", "tonne": "t", "tonnes": "t", "ton": "t", "tons": "t",
	"ms": "ms", "millisecond": "ms", "milliseconds": "ms", "s": "s", "sec": "s", "secs": "s", "second": "s", "seconds": "s",
	"min": "min", "mins": "min", "minute": "min", "minutes": "min", "h": "h", "hr": "h", "hrs": "h", "hour": "h", "hours": "h",
	"d": "day", "day": "day", "days": "day", "wk": "week", "week": "week", "weeks": "week",
	"c": "c", "°c": "c", "celsius": "c", "f": "f", "°f": "f", "fahrenheit": "f",
	"degrees celsius": "c", "degree celsius": "c", "degrees fahrenheit": "f",
	"m²": "m2", "m2": "m2", "sqm": "m2", "km²": "km2", "km2": "km2", "sq ft": "ft2", "sqft": "ft2", "ft²": "ft2", "ft2": "ft2",
	"square feet": "ft2", "square foot": "ft2", "sq mi": "mi2", "square miles": "mi2",
	"wh": "wh", "kwh": "kwh", "mwh": "mwh", "gwh": "gwh", "w": "w", "kw": "kw", "mw": "mw",
	"kb": "kb", "mb": "mb", "gb": "gb", "tb": "tb",
	"ml": "ml", "l": "l", "liter": "l", "liters": "l", "litre": "l", "litres": "l",
}

var unitTable = map[string]unitInfo{
	"mm": {"len", 0.001}, "cm": {"len", 0.01}, "m": {"len", 1}, "km": {"len", 1000}, "in": {"len", 0.0254},
	"ft": {"len", 0.3048}, "mi": {"len", 1609.344}, "yd": {"len", 0.9144},
	"mg": {"mass", 1e-6}, "g": {"mass", 1e-3}, "kg": {"mass", 1}, "lb": {"mass", 0.45359237}, "oz": {"mass", 0.028349523125},
	"t":  {"mass", 1000},
	"ms": {"time", 0.001}, "s": {"time", 1}, "min": {"time", 60}, "h": {"time", 3600}, "day": {"time", 86400}, "week": {"time", 604800},
	"c": {"temp", 1}, "f": {"temp", 1},
	"m2": {"area", 1}, "km2": {"area", 1e6}, "ft2": {"area", 0.09290304}, "mi2": {"area", 2589988.110336},
	"wh": {"energy", 1}, "kwh": {"energy", 1e3}, "mwh": {"energy", 1e6}, "gwh": {"energy", 1e9},
	"w": {"power", 1}, "kw": {"power", 1e3}, "mw": {"power", 1e6},
	"kb": {"data", 1e3}, "mb": {"data", 1e6}, "gb": {"data", 1e9}, "tb": {"data", 1e12},
	"ml": {"vol", 1e-3}, "l": {"vol", 1},
}

// convertUnit converts v from unit a to unit b of the same dimension.
func convertUnit(v float64, a, b string) (float64, bool) {
	ua, ok1 := unitTable[a]
	ub, ok2 := unitTable[b]
	if !ok1 || !ok2 || ua.dim != ub.dim {
		return 0, false
	}
	if ua.dim == "temp" {
		switch a {
		case b:
			return v, true
		case "c":
			return v*9/5 + 32, true
		default:
			return (v - 32) * 5 / 9, true
		}
	}
	return v * ua.factor / ub.factor, true
}

// scaleWords multiply the number before them.
var scaleWords = map[string]float64{
	"k": 1e3, "thousand": 1e3, "tsd": 1e3, "tsd.": 1e3,
	"m": 1e6, "mn": 1e6, "mm": 1e6, "million": 1e6, "millions": 1e6, "mio": 1e6, "mio.": 1e6, "millionen": 1e6,
	"b": 1e9, "bn": 1e9, "billion": 1e9, "billions": 1e9, "mrd": 1e9, "mrd.": 1e9, "milliard": 1e9, "milliards": 1e9, "md": 1e9,
	"trillion": 1e12, "tn": 1e12,
}

var percentWords = map[string]bool{"%": true, "percent": true, "per cent": true, "pct": true, "prozent": true, "pour cent": true, "por ciento": true}

var hedgeWords = [...]string{"about", "around", "roughly", "approximately", "approx.", "approx", "nearly", "almost",
	"over", "under", "more than", "less than", "just over", "just under", "close to", "some", "circa", "ca.",
	"~", "≈", "etwa", "rund", "ungefähr", "environ", "près de", "cerca de", "up to", "at least", "at most", "above", "below"}

var currencyCodes = map[string]bool{"usd": true, "eur": true, "gbp": true, "jpy": true, "chf": true, "cad": true,
	"aud": true, "inr": true, "cny": true, "sek": true, "nok": true, "dkk": true, "euro": true, "euros": true, "dollars": true}

func isCurrencyRune(r rune) bool {
	return r == '$' || r == '€' || r == '£' || r == '¥' || r == '₹' || r == '₩' || r == '₽'
}

// quantityAt reads a number starting at s[i] (a digit). It returns the
// quantity and the end of the number with its suffixes. space allows
// blank-separated digit groups (1 250), which contexts in French and
// tables use; answers are read without it.
func quantityAt(s string, i int, space bool) (q quantity, end int) {
	// digit groups and the separators between them
	type group struct {
		digits string
		sep    byte // separator before this group: 0, ',', '.', ' ', '\''
	}
	var groups [12]group
	ng := 0
	j := i
	for ng < len(groups) {
		k := j
		for k < len(s) && isDigit(s[k]) {
			k++
		}
		if k == j {
			break
		}
		groups[ng].digits = s[j:k]
		ng++
		j = k
		if ng == len(groups) {
			break // a longer run of groups is a list, not one number
		}
		// a separator followed by a digit continues the number
		if j+1 < len(s) && isDigit(s[j+1]) && (s[j] == ',' || s[j] == '.' || s[j] == '\'' || space && s[j] == ' ') {
			if s[j] == ' ' || s[j] == '\'' {
				// only thousands groups of three
				if k2 := digitRun(s, j+1); k2 != 3 {
					break
				}
			}
			groups[ng].sep = s[j]
			j++
			continue
		}
		if r, size := utf8.DecodeRuneInString(s[j:]); (r == '\u00a0' || r == '\u202f' || r == '\u2009') && digitRun(s, j+size) == 3 {
			groups[ng].sep = ' '
			j += size
			continue
		}
		break
	}
	end = j
	// Readings: all separators are thousands separators (1,234,567 or
	// 1 250), or the last one is a decimal mark (7,5 / 1.234,56 /
	// 1,234.56). A reading is valid only when its thousands groups have
	// three digits after a first group of one to three; "1,234" and
	// "1.234" allow both (in answers "1,234" is English thousands). When
	// neither is valid the separators split numbers (JSON's 18233,1523904).
	readings := 0
	addReading := func(decimal int) { // decimal: index of the group after the decimal mark, or ng
		v, dec := 0.0, 0
		for g := 0; g < ng; g++ {
			for _, d := range []byte(groups[g].digits) {
				v = v*10 + float64(d-'0')
				if g >= decimal {
					dec++
				}
			}
		}
		v /= math.Pow(10, float64(dec))
		if readings < 2 {
			q.vals[readings] = v
			q.tols[readings] = 0.5 * math.Pow(10, -float64(dec))
			readings++
		}
	}
	thousands := func(upto int) bool { // groups[0:upto] form thousands groups with one separator
		if upto > 1 && len(groups[0].digits) > 3 {
			return false
		}
		for g := 1; g < upto; g++ {
			if len(groups[g].digits) != 3 || groups[g].sep != groups[1].sep {
				return false
			}
		}
		return true
	}
	last := groups[ng-1]
	allThousands := thousands(ng)
	withDecimal := ng >= 2 && (last.sep == ',' && len(last.digits) <= 3 || last.sep == '.') && thousands(ng-1) && (ng == 2 || groups[1].sep != last.sep)
	if allThousands && ng == 2 && last.sep == ',' && !space {
		withDecimal = false // 1,234 in an answer
	}
	switch {
	case ng == 1:
		addReading(ng)
	case allThousands || withDecimal:
		if allThousands {
			addReading(ng)
		}
		if withDecimal {
			addReading(ng - 1)
		}
	default:
		ng = 1
		end = i + len(groups[0].digits)
		addReading(ng)
	}
	q.n = readings
	for g := 0; g < ng; g++ {
		q.digits += len(groups[g].digits)
	}
	q.digits -= len(groups[0].digits) - len(strings.TrimLeft(groups[0].digits, "0"))
	if int(q.vals[0]) > 0 && q.vals[0] == math.Trunc(q.vals[0]) {
		for v := int64(q.vals[0]); v > 0 && v%10 == 0; v /= 10 {
			q.zeros++
		}
	}
	// ordinal suffixes: 15th, 1st, 1er
	for _, suf := range [...]string{"st", "nd", "rd", "th", "er"} {
		if strings.HasPrefix(s[end:], suf) && !startsWord(s, end+len(suf)) {
			return q, end + len(suf)
		}
	}
	// suffixes: percent, scale, unit, currency code
	for n := 0; n < 3; n++ {
		w, wend := suffixWord(s, end)
		if w == "" {
			break
		}
		glued := isDigit(s[end-1]) && !(s[end] == ' ' || s[end] == '-')
		lw := strings.ToLower(w)
		switch {
		case percentWords[lw]:
			q.percent = true
		case currencyCodes[lw]:
			q.money = true
		case scaleWords[lw] != 0 && !q.scaled && q.unit == "" && (len(lw) > 1 && lw != "mm" || glued || q.money):
			// a one-letter scale (k, M, B) only glued to the number
			// (612K) or after money ($4.2 M); "52 m" is metres
			f := scaleWords[lw]
			for r := 0; r < q.n; r++ {
				q.vals[r] *= f
				q.tols[r] *= f
			}
			q.scaled, q.scale, q.letter = true, f, len(lw) == 1
		default:
			u, ok := unitAliases[lw]
			if !ok || q.unit != "" {
				q.label = q.unit == "" && len(w) > 1 && !groundingFunctionWords[lw]
				if q.label {
					// "24 sunny days": a unit a word or two later
					k := wend
					for n := 0; n < 2; n++ {
						w2, e2 := suffixWord(s, k)
						if w2 == "" || e2 == k || s[k] != ' ' {
							break
						}
						if u2, ok := unitAliases[strings.ToLower(w2)]; ok && len(w2) > 2 {
							q.unit, q.label = u2, false
							break
						}
						k = e2
					}
				}
				return q, end
			}
			q.unit = u
		}
		end = wend
	}
	return q, end
}

func digitRun(s string, i int) int {
	n := 0
	for i+n < len(s) && isDigit(s[i+n]) {
		n++
	}
	return n
}

func parseDecimal(t string) float64 {
	v, frac, scale := 0.0, false, 1.0
	for i := 0; i < len(t); i++ {
		if t[i] == '.' {
			frac = true
			continue
		}
		d := float64(t[i] - '0')
		if frac {
			scale /= 10
			v += d * scale
		} else {
			v = v*10 + d
		}
	}
	return v
}

func startsWord(s string, i int) bool {
	if i >= len(s) {
		return false
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// suffixWord reads the word after a number: after optional blanks or a
// hyphen (75-minute), "%", "°C", "sq ft", "per cent", a letter run ending
// in an optional "." for abbreviations (Mrd.), or "²". It returns "" when
// none follows.
func suffixWord(s string, i int) (string, int) {
	j := i
	for j < len(s) && (s[j] == ' ' || s[j] == '-') && j-i < 2 {
		j++
	}
	if r, size := utf8.DecodeRuneInString(s[j:]); r == '\u00a0' || r == '\u202f' || r == '\u2009' {
		j += size
	}
	if j >= len(s) {
		return "", i
	}
	if s[j] == '%' {
		return "%", j + 1
	}
	if strings.HasPrefix(s[j:], "°") {
		k := j + len("°")
		for k < len(s) && s[k] == ' ' {
			k++
		}
		if k < len(s) && (s[k]|0x20 == 'c' || s[k]|0x20 == 'f') && !startsWord(s, k+1) {
			return "°" + string(s[k]|0x20), k + 1
		}
		return "", i
	}
	for _, two := range [...]string{"degrees celsius", "degrees fahrenheit", "degree celsius", "sq ft", "sq mi", "square feet", "square foot", "square miles", "per cent", "pour cent", "por ciento"} {
		if len(s)-j >= len(two) && strings.EqualFold(s[j:j+len(two)], two) && !startsWord(s, j+len(two)) {
			return two, j + len(two)
		}
	}
	k := j
	for k < len(s) {
		r, size := utf8.DecodeRuneInString(s[k:])
		if !unicode.IsLetter(r) && r != '²' {
			break
		}
		k += size
	}
	if k == j {
		return "", i
	}
	w := s[j:k]
	if k < len(s) && s[k] == '.' {
		if lw := strings.ToLower(w); lw == "mrd" || lw == "mio" || lw == "tsd" {
			return w + ".", k + 1
		}
	}
	if r, _ := utf8.DecodeRuneInString(s[k:]); unicode.IsDigit(r) {
		return "", i // "2m3": not a suffix
	}
	return w, k
}

// hedgedBefore reports a hedge word ending just before position i (blanks,
// currency symbols and codes between are skipped).
func hedgedBefore(s string, i int) bool {
	j := i
	for j > 0 {
		r, size := utf8.DecodeLastRuneInString(s[:j])
		if r == ' ' || r == '\u00a0' || isCurrencyRune(r) {
			j -= size
			continue
		}
		if j >= 3 && currencyCodes[strings.ToLower(s[j-3:j])] && (j == 3 || !startsWord(s, j-4)) {
			j -= 3
			continue
		}
		break
	}
	head := lowerWord(s[max(0, j-20):j])
	for _, h := range hedgeWords {
		if !strings.HasSuffix(head, h) {
			continue
		}
		k := len(head) - len(h)
		if k == 0 || !unicode.IsLetter(rune(head[k-1])) || !unicode.IsLetter(rune(h[0])) {
			return true
		}
	}
	return false
}

// moneyBefore reports a currency symbol or code just before position i.
func moneyBefore(s string, i int) bool {
	j := i
	for j > 0 && s[j-1] == ' ' {
		j--
	}
	if r, _ := utf8.DecodeLastRuneInString(s[:j]); isCurrencyRune(r) {
		return true
	}
	for _, code := range [...]string{"USD", "EUR", "GBP", "CHF", "JPY"} {
		if strings.HasSuffix(s[:j], code) {
			return true
		}
	}
	return false
}

// keyUnit is the unit a JSON or YAML key's last segment names
// ("weight_kg": 12.4, "duration_s": 1134) for a number at position i.
func keyUnit(s string, i int) string {
	j := i
	for j > 0 && (s[j-1] == ' ' || s[j-1] == '\t') {
		j--
	}
	if j == 0 || (s[j-1] != ':' && s[j-1] != '=') {
		return ""
	}
	j--
	for j > 0 && (s[j-1] == ' ' || s[j-1] == '"') {
		j--
	}
	k := j
	for k > 0 && (isWordByte(s[k-1]) || s[k-1] == '-') {
		k--
	}
	key := asciiLower(s[k:j])
	if strings.Contains(key, "per_") || strings.Contains(key, "per-") || strings.HasPrefix(key, "per") {
		return "" // requests_per_minute is a rate, not minutes
	}
	if sep := strings.LastIndexAny(key, "_-"); sep >= 0 {
		key = key[sep+1:]
	} else if _, ok := unitTable[key]; !ok || len(key) < 2 { // a whole key names a unit only when unambiguous (kwh)
		return ""
	}
	if key == "pct" || key == "percent" {
		return "%"
	}
	if u, ok := unitAliases[key]; ok {
		return u
	}
	return ""
}

// groundingFunctionWords after a number are no label of what it counts.
var groundingFunctionWords = map[string]bool{"and": true, "or": true, "of": true, "to": true, "in": true, "on": true,
	"at": true, "by": true, "for": true, "from": true, "with": true, "is": true, "are": true, "was": true, "were": true,
	"the": true, "a": true, "an": true, "as": true, "than": true, "vs": true, "per": true, "each": true, "up": true,
	"out": true, "into": true, "over": true, "under": true, "after": true, "before": true, "since": true}

// Dates and times.

type groundDate struct{ y, m, d int } // y 0: no year written

type groundTime struct {
	local int  // minutes after midnight as written
	utc   int  // minutes after midnight in UTC, when zoned
	zoned bool // a zone or offset was written
}

var monthNames = func() map[string]int {
	m := map[string]int{}
	lists := [...][12]string{
		{"january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"},
		{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"},
		{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"},
		{"januar", "februar", "märz", "april", "mai", "juni", "juli", "august", "september", "oktober", "november", "dezember"},
		{"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"},
	}
	for _, l := range lists {
		for i, n := range l {
			m[n] = i + 1
		}
	}
	m["sept"] = 9
	return m
}()

var weekdayNames = map[string]bool{"monday": true, "tuesday": true, "wednesday": true, "thursday": true, "friday": true,
	"saturday": true, "sunday": true, "mon": true, "tue": true, "wed": true, "thu": true, "fri": true, "sat": true, "sun": true}

// zoneOffsets are minutes east of UTC.
var zoneOffsets = map[string]int{
	"utc": 0, "gmt": 0, "z": 0, "est": -300, "edt": -240, "cst": -360, "cdt": -300, "mst": -420, "mdt": -360,
	"pst": -480, "pdt": -420, "akst": -540, "akdt": -480, "hst": -600, "cet": 60, "cest": 120, "bst": 60,
	"wet": 0, "west": 60, "eet": 120, "eest": 180, "msk": 180, "ist": 330, "jst": 540, "kst": 540, "sgt": 480,
	"hkt": 480, "aest": 600, "aedt": 660, "acst": 570, "awst": 480, "nzst": 720, "nzdt": 780,
}

// dateAt reads a numeric date at s[i]: ISO (2024-08-14, also inside a
// timestamp), D.M.Y, D/M/Y or M/D/Y (both readings), or "14 August
// [2024]" / "1er octobre". n is the number of readings (0: no date).
func dateAt(s string, i int) (ds [2]groundDate, n, end int) {
	a := digitRun(s, i)
	switch {
	case a == 4 && i+10 <= len(s) && s[i+4] == '-' && digitRun(s, i+5) == 2 && s[i+7] == '-' && digitRun(s, i+8) == 2:
		d := groundDate{atoi(s[i : i+4]), atoi(s[i+5 : i+7]), atoi(s[i+8 : i+10])}
		if validDate(d) {
			return [2]groundDate{d}, 1, i + 10
		}
	case (a == 1 || a == 2) && i+a < len(s) && (s[i+a] == '.' || s[i+a] == '/'):
		sep := s[i+a]
		b := digitRun(s, i+a+1)
		if b != 1 && b != 2 {
			break
		}
		k := i + a + 1 + b
		if k >= len(s) || s[k] != sep {
			break
		}
		c := digitRun(s, k+1)
		if c != 4 && c != 2 {
			break
		}
		x, y, yr := atoi(s[i:i+a]), atoi(s[i+a+1:i+a+1+b]), atoi(s[k+1:k+1+c])
		if c == 2 {
			yr += 2000
		}
		if d := (groundDate{yr, y, x}); validDate(d) {
			ds[n] = d
			n++
		}
		if sep == '/' {
			if d := (groundDate{yr, x, y}); validDate(d) && x != y {
				ds[n] = d
				n++
			}
		}
		if n > 0 {
			return ds, n, k + 1 + c
		}
	case a == 1 || a == 2:
		// 14 August [2024], 1er octobre 2024, 3rd of May
		k := i + a
		for _, suf := range [...]string{"st", "nd", "rd", "th", "er", "."} {
			if strings.HasPrefix(s[k:], suf) {
				k += len(suf)
				break
			}
		}
		if strings.HasPrefix(s[k:], " of") {
			k += 3
		}
		if k >= len(s) || s[k] != ' ' {
			break
		}
		w := wordAt(s, k+1)
		m, ok := monthNames[lowerWord(w)]
		if !ok || len(w) < 3 {
			break
		}
		d := groundDate{0, m, atoi(s[i : i+a])}
		end := k + 1 + len(w)
		if end < len(s) && s[end] == '.' {
			end++
		}
		if end+5 <= len(s) && (s[end] == ' ' || s[end] == ',') {
			e := end + 1
			if s[end] == ',' && e < len(s) && s[e] == ' ' {
				e++
			}
			if digitRun(s, e) == 4 {
				d.y = atoi(s[e : e+4])
				end = e + 4
			}
		}
		if validDate(d) {
			return [2]groundDate{d}, 1, end
		}
	}
	return ds, 0, i
}

// monthDateAt reads "August 14[th][, 2024]" at s[i] (a month name).
func monthDateAt(s string, i int) (groundDate, int, bool) {
	w := wordAt(s, i)
	k := i + len(w)
	// cheap test first: a day must follow ("August 14", "Sept. 3")
	if d := k + 1; !(d < len(s) && s[k] == ' ' && isDigit(s[d]) || d+1 < len(s) && s[k] == '.' && s[d] == ' ' && isDigit(s[d+1])) {
		return groundDate{}, i, false
	}
	m, ok := monthNames[lowerWord(w)]
	if !ok || len(w) < 3 {
		return groundDate{}, i, false
	}
	if k < len(s) && s[k] == '.' {
		k++
	}
	if k >= len(s) || s[k] != ' ' {
		return groundDate{}, i, false
	}
	a := digitRun(s, k+1)
	if a != 1 && a != 2 {
		return groundDate{}, i, false
	}
	d := groundDate{0, m, atoi(s[k+1 : k+1+a])}
	end := k + 1 + a
	for _, suf := range [...]string{"st", "nd", "rd", "th"} {
		if strings.HasPrefix(s[end:], suf) {
			end += len(suf)
			break
		}
	}
	if startsWord(s, end) { // "May 2024", "Sep 30s"
		return groundDate{}, i, false
	}
	if end+5 <= len(s) && (s[end] == ',' || s[end] == ' ') {
		e := end + 1
		if s[end] == ',' && e < len(s) && s[e] == ' ' {
			e++
		}
		if digitRun(s, e) == 4 {
			d.y = atoi(s[e : e+4])
			end = e + 4
		}
	}
	if !validDate(d) {
		return groundDate{}, i, false
	}
	return d, end, true
}

// lowerWord lower-cases a short word, without allocating when it is ASCII
// and already lower case.
func lowerWord(w string) string {
	for i := 0; i < len(w); i++ {
		if w[i] >= utf8.RuneSelf {
			return strings.ToLower(w)
		}
	}
	return asciiLower(w)
}

func validDate(d groundDate) bool {
	return d.m >= 1 && d.m <= 12 && d.d >= 1 && d.d <= 31 && (d.y == 0 || d.y >= 1000 && d.y <= 2999)
}

func atoi(t string) int {
	n := 0
	for i := 0; i < len(t) && n < 1e8; i++ {
		n = n*10 + int(t[i]-'0')
	}
	return n
}

// timeAt reads a clock reading at s[i]: H:MM[:SS][ AM|PM][ zone|Z|±HH:MM]
// or H AM|PM [zone].
func timeAt(s string, i int) (t groundTime, end int, ok bool) {
	a := digitRun(s, i)
	if a != 1 && a != 2 {
		return t, i, false
	}
	h, m := atoi(s[i:i+a]), 0
	k := i + a
	colon, seconds := false, false
	if k+2 < len(s) && s[k] == ':' && digitRun(s, k+1) == 2 {
		m = atoi(s[k+1 : k+3])
		k += 3
		colon = true
		if k+2 < len(s) && s[k] == ':' && digitRun(s, k+1) == 2 {
			k += 3
			seconds = true
			if k < len(s) && s[k] == '.' { // fractional seconds
				k++
				k += digitRun(s, k)
			}
		}
	}
	// AM / PM
	j := k
	if j < len(s) && s[j] == ' ' {
		j++
	}
	ampm := ""
	for _, p := range [...]string{"a.m.", "p.m.", "am", "pm", "AM", "PM", "Am", "Pm"} {
		if strings.HasPrefix(s[j:], p) && !startsWord(s, j+len(p)) {
			ampm = strings.ToLower(p[:1])
			k = j + len(p)
			break
		}
	}
	if !colon && ampm == "" {
		return t, i, false
	}
	if h > 23 || m > 59 || ampm != "" && (h == 0 || h > 12) {
		return t, i, false
	}
	if ampm == "p" && h != 12 {
		h += 12
	} else if ampm == "a" && h == 12 {
		h = 0
	}
	t.local = h*60 + m
	end = k
	// zone
	if k < len(s) && (s[k] == 'Z' || s[k] == 'z') && !startsWord(s, k+1) {
		t.utc, t.zoned = t.local, true
		return t, k + 1, true
	}
	if seconds && k+5 < len(s) && (s[k] == '+' || s[k] == '-') && digitRun(s, k+1) == 2 && s[k+3] == ':' && digitRun(s, k+4) == 2 {
		off := atoi(s[k+1:k+3])*60 + atoi(s[k+4:k+6])
		if s[k] == '-' {
			off = -off
		}
		t.utc, t.zoned = mod1440(t.local-off), true
		return t, k + 6, true
	}
	z := k
	if z < len(s) && s[z] == ' ' {
		z++
	}
	if w := wordAt(s, z); w != "" {
		if off, ok := zoneOffsets[strings.ToLower(w)]; ok && strings.ToUpper(w) == w {
			t.utc, t.zoned = mod1440(t.local-off), true
			return t, z + len(w), true
		}
	}
	return t, end, true
}

func mod1440(m int) int { return ((m % 1440) + 1440) % 1440 }

// groundingIndex is what a context offers for figures: its values, per
// unit and as percents, its dates and times.
type groundingIndex struct {
	all      []float64 // every reading, absolute, sorted
	plain    []float64 // readings without a known unit
	raw      []float64 // every digit run alone (the 15 of 2024-08-15)
	percents []float64 // readings written as percents (the number before %)
	byUnit   map[string][]float64
	dates    []groundDate
	times    []groundTime
}

func buildGroundingIndex(ctx string) *groundingIndex {
	g := &groundingIndex{byUnit: map[string][]float64{}}
	var pending []int // times without a zone, waiting for a range's zone
	for i := 0; i < len(ctx); {
		c := ctx[i]
		if !isDigit(c) {
			if c >= 'A' && c <= 'z' || c >= 0x80 {
				r, size := utf8.DecodeRuneInString(ctx[i:])
				if !unicode.IsLetter(r) {
					i += size
					continue
				}
				if i == 0 || !startsWord(ctx, i-1) || isDigit(ctx[i-1]) {
					if d, _, ok := monthDateAt(ctx, i); ok {
						g.dates = append(g.dates, d)
					}
				}
				for i < len(ctx) {
					r, size := utf8.DecodeRuneInString(ctx[i:])
					if !unicode.IsLetter(r) {
						break
					}
					i += size
				}
				continue
			}
			i++
			continue
		}
		isoTime := i >= 2 && ctx[i-1] == 'T' && isDigit(ctx[i-2])
		if i > 0 && (isDigit(ctx[i-1]) || isWordStart(ctx[i-1])) && !isoTime {
			// digits of a word (EC2, p99, F12): a code, not a quantity
			n := digitRun(ctx, i)
			g.raw = append(g.raw, parseDecimal(ctx[i:i+min(n, 15)]))
			i += n
			continue
		}
		if ds, n, _ := dateAt(ctx, i); n > 0 {
			g.dates = append(g.dates, ds[:n]...)
		}
		if t, end, ok := timeAt(ctx, i); ok {
			if t.zoned {
				for _, p := range pending {
					if !g.times[p].zoned {
						off := t.local - t.utc
						g.times[p].utc, g.times[p].zoned = mod1440(g.times[p].local-off), true
					}
				}
				pending = pending[:0]
			} else {
				pending = append(pending[:0], len(g.times))
			}
			g.times = append(g.times, t)
			_ = end
		}
		q, end := quantityAt(ctx, i, true)
		if q.unit == "" && !q.label { // a figure's own label word wins over its key's unit
			if u := keyUnit(ctx, i); u == "%" {
				q.percent = true
			} else {
				q.unit = u
			}
		}
		for r := 0; r < q.n; r++ {
			v := math.Abs(q.vals[r])
			g.all = append(g.all, v)
			if q.percent {
				g.percents = append(g.percents, v)
			}
			if q.unit != "" {
				g.byUnit[q.unit] = append(g.byUnit[q.unit], v)
			} else {
				g.plain = append(g.plain, v)
			}
			if q.letter { // 52m: 52 million, or 52 minutes
				g.plain = append(g.plain, v/q.scale)
			}
		}
		// every digit run also stands alone (the 15 of 2024-08-15, the
		// 1472 of "UA 1472")
		for k := i; k < end; {
			if !isDigit(ctx[k]) {
				k++
				continue
			}
			n := digitRun(ctx, k)
			if n <= 15 {
				g.raw = append(g.raw, parseDecimal(ctx[k:k+n]))
			}
			k += n
		}
		if end <= i {
			end = i + 1
		}
		i = end
	}
	sort.Float64s(g.all)
	sort.Float64s(g.plain)
	sort.Float64s(g.raw)
	sort.Float64s(g.percents)
	for u := range g.byUnit {
		sort.Float64s(g.byUnit[u])
	}
	return g
}

// near reports a value of sorted within tol of v.
func near(sorted []float64, v, tol float64) bool {
	lo, hi := v-tol, v+tol
	if math.IsNaN(lo) {
		// a figure too long for a float64 is infinite, and so is its
		// tolerance: only the same infinity in the context matches
		lo, hi = v, v
	}
	k := sort.SearchFloat64s(sorted, lo)
	return k < len(sorted) && sorted[k] <= hi
}

// supportsQuantity reports whether the context holds the claimed figure.
// A figure with a unit matches the same unit, a convertible one or a
// number without unit; money, percents and scaled figures do not match
// digit runs cut out of dates and codes.
func (g *groundingIndex) supportsQuantity(q quantity) bool {
	for r := 0; r < q.n; r++ {
		v := math.Abs(q.vals[r])
		tol := q.tols[r]*(1+1e-9) + 1e-9*v
		loose := tol
		if z := trailingZeros(v); z > 0 && !q.scaled {
			// trailing zeros may be rounding: allowed for hedged figures
			// and conversions, within 5%
			loose = math.Max(tol, math.Min(0.5*math.Pow(10, float64(z)), 0.05*v))
		}
		if q.hedged {
			tol = loose
		}
		switch {
		case q.unit != "":
			if near(g.plain, v, tol) || near(g.byUnit[q.unit], v, tol) {
				return true
			}
		case q.label && !q.percent:
			// "12 mmHg" is not supported by "12 weeks"
			if near(g.plain, v, tol) || v <= 1 && near(g.percents, v*100, tol*100) {
				return true
			}
		case q.percent:
			if near(g.all, v, tol) || near(g.plain, v/100, tol/100) {
				return true
			}
		default:
			if near(g.all, v, tol) {
				return true
			}
			if v <= 1 && near(g.percents, v*100, tol*100) {
				return true
			}
			if !q.money && !q.scaled && tol == 0.5*(1+1e-9)+1e-9*v && near(g.raw, v, tol) {
				return true
			}
		}
		if q.unit != "" {
			for u, vals := range g.byUnit {
				if u == q.unit {
					continue
				}
				cv, ok := convertUnit(q.vals[r], q.unit, u)
				if !ok {
					continue
				}
				// the tolerance scales with the conversion; rounding of
				// the converted figure is allowed
				hi, _ := convertUnit(q.vals[r]+loose, q.unit, u)
				if near(vals, math.Abs(cv), math.Abs(hi-cv)*(1+1e-9)+1e-9) {
					return true
				}
			}
		}
	}
	return false
}

// trailingZeros counts the trailing zeros of an integer value.
func trailingZeros(v float64) int {
	if v < 10 || v != math.Trunc(v) || v > 1e15 {
		return 0
	}
	z := 0
	for n := int64(v); n%10 == 0; n /= 10 {
		z++
	}
	return z
}

func (g *groundingIndex) supportsDate(ds [2]groundDate, n int) bool {
	for r := 0; r < n; r++ {
		d := ds[r]
		for _, c := range g.dates {
			if c.m == d.m && c.d == d.d && (d.y == 0 || c.y == 0 || c.y == d.y) {
				return true
			}
		}
	}
	return false
}

func (g *groundingIndex) supportsTime(t groundTime) bool {
	for _, c := range g.times {
		switch {
		case t.zoned && c.zoned:
			if t.utc == c.utc {
				return true
			}
		case t.zoned:
			if t.local == c.local {
				return true
			}
		default:
			if t.local == c.local || c.zoned && t.local == c.utc {
				return true
			}
		}
	}
	return false
}
