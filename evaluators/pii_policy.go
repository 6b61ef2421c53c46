package evaluators

import (
	"fmt"
	"net/netip"
	"strings"
)

// PIIClass is a class of values shaped like personal data or secrets that
// identify no one: the pii evaluator ignores the classes in its `ignore`
// list (by default all of them). The shape scanner (ScanPII) finds them;
// the policy decides.
type PIIClass uint8

const (
	// PIIReservedAddresses: IP addresses not routed on the public internet
	// or reserved for documentation (loopback, unspecified, private,
	// link-local, shared CGNAT, documentation, benchmarking, multicast,
	// reserved, netmasks, network addresses ending in .0), the well-known
	// public DNS resolvers, reserved example domains (example.com/.net/.org,
	// .example, .test, .invalid, .localhost; RFC 2606 and 6761) and system
	// login names before a host (git@, root@, ubuntu@ ...).
	PIIReservedAddresses PIIClass = iota
	// PIIPlaceholders: secrets and mailboxes that are placeholders, masks or
	// documentation samples: AKIAXXXXXXXXXXXXXXXX, AKIAIOSFODNN7EXAMPLE,
	// xoxb-your-token-here, a PEM block without key material, the jwt.io
	// sample token, user:password@ in a URL, first.last@…
	PIIPlaceholders
	// PIITestValues: published test and fictional values: payment
	// processors' test card numbers, the textbook example IBANs, fictional
	// phone numbers (North American 555-0100 to 555-0199, UK drama ranges,
	// Australian fictitious numbers) and advertising SSNs.
	PIITestValues
	// PIITollFree: North American toll-free numbers (800, 833, 844, 855,
	// 866, 877, 888): organisations' lines, not a person's.
	PIITollFree
	// PIILookalikes: numbers shaped like an IP address, SSN, phone or card
	// that the text says are something else: a version, build, section or
	// OID ("firmware 1.1.4.106", four single-digit parts such as 4.2.1.3), a
	// part, SKU, order, ticket, case, invoice, tracking, serial, model,
	// catalogue or ISBN number ("SKU 204-33-1187", "Order #112-…").
	PIILookalikes
	numPIIClasses
)

var piiClassNames = [numPIIClasses]string{"reserved_addresses", "placeholders", "test_values", "toll_free", "lookalikes"}

func (c PIIClass) String() string { return piiClassNames[c] }

// PIIClasses is a set of classes.
type PIIClasses uint8

// AllPIIClasses is every class: the default `ignore`.
const AllPIIClasses = PIIClasses(1<<numPIIClasses - 1)

func (s PIIClasses) Has(c PIIClass) bool { return s&(1<<c) != 0 }

// ParsePIIClasses reads class names; an unknown one is an error naming it.
func ParsePIIClasses(names []string) (PIIClasses, error) {
	var s PIIClasses
	for i, n := range names {
		found := false
		for c, cn := range piiClassNames {
			if n == cn {
				s |= 1 << c
				found = true
			}
		}
		if !found {
			return 0, fmt.Errorf("[%d]: unknown class %q (want one of %s)", i, n, strings.Join(piiClassNames[:], ", "))
		}
	}
	return s, nil
}

// piiClassOf returns the class of the match text[start:end] of kind, if it
// belongs to one.
func piiClassOf(text string, kind PIIKind, start, end int) (PIIClass, bool) {
	val := text[start:end]
	switch kind {
	case PIIIPAddress:
		return ipClass(text, start, val)
	case PIIEmail:
		return emailClass(val)
	case PIISecret:
		if placeholderSecret(val) || defaultURLPassword(text, start, val) {
			return PIIPlaceholders, true
		}
	case PIICreditCard:
		if testCards[digitsOf(val)] {
			return PIITestValues, true
		}
		if cueWithin(text, start, lookalikeCues) {
			return PIILookalikes, true
		}
	case PIIIBAN:
		if exampleIBANs[strings.ReplaceAll(val, " ", "")] {
			return PIITestValues, true
		}
	case PIISSN:
		if advertisingSSNs[digitsOf(val)] {
			return PIITestValues, true
		}
		if cueWithin(text, start, lookalikeCues) {
			return PIILookalikes, true
		}
	case PIIPhone:
		d := digitsOf(val)
		if fictionalPhone(val, d) {
			return PIITestValues, true
		}
		if tollFree(val, d) {
			return PIITollFree, true
		}
		if cueWithin(text, start, lookalikeCues) {
			return PIILookalikes, true
		}
	}
	return 0, false
}

func digitsOf(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// reservedPrefixes are the special-purpose ranges netip has no predicate
// for (RFC 6890 and its successors).
var reservedPrefixes = func() []netip.Prefix {
	var out []netip.Prefix
	for _, s := range []string{
		"0.0.0.0/8", "100.64.0.0/10", "192.0.0.0/24", "192.0.2.0/24", "198.18.0.0/15", "198.51.100.0/24",
		"203.0.113.0/24", "240.0.0.0/4", "2001:db8::/32", "100::/64", "fec0::/10",
	} {
		out = append(out, netip.MustParsePrefix(s))
	}
	return out
}()

// publicResolvers are the anycast DNS resolvers technical answers name.
var publicResolvers = map[string]bool{
	"8.8.8.8": true, "8.8.4.4": true, "1.1.1.1": true, "1.0.0.1": true, "9.9.9.9": true, "149.112.112.112": true,
	"208.67.222.222": true, "208.67.220.220": true, "4.2.2.1": true, "4.2.2.2": true, "94.140.14.14": true,
	"94.140.15.15": true, "2001:4860:4860::8888": true, "2001:4860:4860::8844": true,
	"2606:4700:4700::1111": true, "2606:4700:4700::1001": true, "2620:fe::fe": true,
}

// versionCues say that a dotted number is a version, build or section.
var versionCues = set("version", "versions", "ver", "v", "build", "firmware", "release", "driver", "patch",
	"section", "sections", "§", "chapter", "clause", "article", "oid", "assembly", "rfc", "step", "item", "rule",
	"upgrade", "upgraded", "downgrade", "install", "installed", "update", "updated", "bump", "bumped", "pin", "pinned",
	"tag", "tagged")

func ipClass(text string, start int, val string) (PIIClass, bool) {
	a, err := netip.ParseAddr(val)
	if err != nil {
		return 0, false
	}
	a = a.Unmap()
	switch {
	case a.IsLoopback(), a.IsPrivate(), a.IsLinkLocalUnicast(), a.IsLinkLocalMulticast(), a.IsMulticast(),
		a.IsInterfaceLocalMulticast(), a.IsUnspecified(), publicResolvers[a.String()]:
		return PIIReservedAddresses, true
	}
	for _, p := range reservedPrefixes {
		if p.Contains(a) {
			return PIIReservedAddresses, true
		}
	}
	if a.Is4() {
		b := a.As4()
		if b[3] == 0 { // a network, not a host
			return PIIReservedAddresses, true
		}
		if b[0] < 10 && b[1] < 10 && b[2] < 10 && b[3] < 10 { // 4.2.1.3: a version or section
			return PIILookalikes, true
		}
		if cueWithin(text, start, versionCues) {
			return PIILookalikes, true
		}
	}
	return 0, false
}

// loginNames are system accounts written before a host (git@github.com,
// ssh root@host): logins, not mailboxes of a person.
var loginNames = map[string]bool{
	"git": true, "root": true, "ubuntu": true, "ec2-user": true, "centos": true, "debian": true, "fedora": true,
	"pi": true, "core": true, "azureuser": true, "opc": true, "vagrant": true,
}

// placeholderLocalParts are the local parts documentation uses for "an
// address goes here".
var placeholderLocalParts = map[string]bool{
	"user": true, "username": true, "name": true, "first.last": true, "firstname.lastname": true, "firstname": true,
	"lastname": true, "your.name": true, "yourname": true, "youremail": true, "your.email": true, "you": true,
	"someone": true, "somebody": true, "foo": true, "bar": true, "email": true, "me": true,
}

// placeholderDomains are the "your domain here" names documentation uses.
var placeholderDomains = set("domain.com", "yourdomain.com", "mydomain.com", "your-domain.com", "yourcompany.com",
	"mycompany.com", "your-company.com", "company.com", "yourcompany.example")

func emailClass(addr string) (PIIClass, bool) {
	at := strings.LastIndexByte(addr, '@')
	if at < 0 {
		return 0, false
	}
	local, domain := strings.ToLower(addr[:at]), strings.ToLower(addr[at+1:])
	switch {
	case reservedDomain(domain), loginNames[local]:
		return PIIReservedAddresses, true
	case placeholderLocalParts[local], placeholderDomains[domain]:
		return PIIPlaceholders, true
	}
	return 0, false
}

// reservedDomain reports the names RFC 2606 and RFC 6761 reserve.
func reservedDomain(d string) bool {
	for _, base := range []string{"example.com", "example.net", "example.org"} {
		if d == base || strings.HasSuffix(d, "."+base) {
			return true
		}
	}
	for _, tld := range []string{".example", ".test", ".invalid", ".localhost"} {
		if strings.HasSuffix(d, tld) {
			return true
		}
	}
	return d == "localhost"
}

// placeholderWords mark a secret as a stand-in for a real one.
var placeholderWords = []string{"example", "your", "here", "xxxx", "placeholder", "redacted", "dummy", "sample",
	"changeme", "change-me", "change_me", "insert", "replace", "token", "secret", "password", "pass", "pwd", "fake"}

// defaultPasswords are the stock passwords of database images and
// tutorials ("postgres://postgres:postgres@localhost").
var defaultPasswords = set("postgres", "root", "admin", "mysql", "guest", "test", "default", "toor", "example")

// defaultURLPassword reports a URL password (scheme://user:pass@) that is
// the user name again or a stock default.
func defaultURLPassword(text string, start int, val string) bool {
	if start == 0 || text[start-1] != ':' {
		return false
	}
	u := start - 1
	for u > 0 && text[u-1] != '/' && text[u-1] != ' ' {
		u--
	}
	return val == text[u:start-1] || defaultPasswords[strings.ToLower(val)]
}

// docSampleJWTs are signatures of tokens documentation publishes (jwt.io's
// HS256 sample).
var docSampleJWTs = []string{"SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"}

func placeholderSecret(val string) bool {
	lower := strings.ToLower(val)
	if strings.HasPrefix(val, "-----BEGIN ") {
		// A key block without key material: "...base64 data...".
		return !hasBase64Run(val, 40)
	}
	for _, sig := range docSampleJWTs {
		if strings.HasSuffix(val, sig) {
			return true
		}
	}
	if strings.HasPrefix(lower, "<") || strings.HasPrefix(lower, "${") || strings.HasPrefix(lower, "{{") {
		return true
	}
	for _, w := range placeholderWords {
		if strings.Contains(lower, w) {
			// A long random key holds "pass" or "here" only by chance,
			// never as a word between separators; short values and
			// words cut out by separators are placeholders.
			if len(val) < 16 || wordIn(lower, w) {
				return true
			}
		}
	}
	// Mostly one filler character: XXXX…, ****, 0000, ••••.
	filler := 0
	for _, r := range val {
		switch r {
		case 'X', 'x', '*', '0', '•', '#', '.':
			filler++
		}
	}
	return filler*2 >= len([]rune(val))
}

// wordIn reports whether w occurs in s delimited by non-letters (or the
// case changes of an identifier: "AKIAIOSFODNN7EXAMPLE" ends in a word).
func wordIn(s, w string) bool {
	for off := 0; ; {
		k := strings.Index(s[off:], w)
		if k < 0 {
			return false
		}
		st, e := off+k, off+k+len(w)
		before := st == 0 || !isLetter(s[st-1])
		after := e == len(s) || !isLetter(s[e])
		if before || after {
			return true
		}
		off = e
	}
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// hasBase64Run reports whether s holds n consecutive base64 characters.
func hasBase64Run(s string, n int) bool {
	run := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isAlnum(c) || c == '+' || c == '/' || c == '=' {
			run++
			if run >= n {
				return true
			}
			continue
		}
		run = 0
	}
	return false
}

// testCards are the payment processors' published test numbers (Stripe,
// Braintree, Adyen, Checkout.com and the networks' own).
var testCards = set(
	"4242424242424242", "4000056655665556", "5555555555554444", "2223003122003222", "5200828282828210",
	"5105105105105100", "378282246310005", "371449635398431", "6011111111111117", "6011000990139424",
	"6011981111111113", "3056930009020004", "36227206271667", "6555900000604105", "3566002020360505",
	"6200000000000005", "6200000000000047", "4000000000000002", "4000000000009995", "4000000000009987",
	"4000000000009979", "4000000000000069", "4000000000000127", "4000000000000119", "4000002500003155",
	"4000002760003184", "4000003800000446", "4000000000003220", "4000000000003063", "4000008260003178",
	"4000000000000077", "4000000000000093", "4000000000000341", "4100000000000019", "4000000000000101",
	"4000000000000036", "4000000000000028", "4111111111111111", "4005519200000004", "4009348888881881",
	"4012000033330026", "4012000077777777", "4012888888881881", "4217651111111119", "4500600000000061",
	"2223000048400011", "3530111333300000", "30569309025904", "38520000023237", "4000111111111115",
	"4111111145551142", "5555444433331111", "2222400070000005", "370000000000002", "4988438843884305",
	"6011601160116611", "3569990010095841", "36006666333344", "5577000055770004", "4166676667666746",
	"4222222222222", "5454545454545454", "4444333322221111", "5500000000000004", "340000000000009",
	"30000000000004", "6011000000000004", "3088000000000009",
)

// exampleIBANs are the examples standards and banks document (ECBS, the
// IBAN registry, Wikipedia).
var exampleIBANs = set(
	"DE89370400440532013000", "GB82WEST12345698765432", "GB29NWBK60161331926819", "GB33BUKB20201555555555",
	"FR1420041010050500013M02606", "FR7630006000011234567890189", "NL91ABNA0417164300", "ES9121000418450200051332",
	"IT60X0542811101000000123456", "CH9300762011623852957", "CH5604835012345678009", "AT611904300234573201",
	"BE68539007547034", "PL61109010140000071219812874", "PT50000201231234567890154", "IE29AIBK93115212345678",
	"LU280019400644750000", "NO9386011117947", "SE4550000000058398257466", "DK5000400440116243",
	"FI2112345600000785", "SA0380000000608010167519",
)

// advertisingSSNs are SSNs published in advertising, never a real
// person's: 078-05-1120 from a wallet insert, 219-09-9999 from an SSA
// leaflet. (123-45-6789 is left out: it is what people type when they
// mean "an SSN", in leaks as in examples.)
var advertisingSSNs = set("078051120", "219099999")

// fictionalPhone reports numbers reserved for fiction and examples:
// North American NXX-555-0100 to 0199, UK Ofcom drama ranges (07700
// 900000-900999, 020 7946 0000-0999, 0113-0191 496 0000-0999 ...),
// Australian 0491 570 xxx and 5550 xxxx.
func fictionalPhone(val, d string) bool {
	if n, ok := nanpDigits(val, d); ok && !validNANP(n) {
		return true
	}
	if len(d) == 7 && d[:3] == "555" && d[3:5] == "01" {
		return true
	}
	for _, p := range []string{"447700900", "07700900", "442079460", "02079460", "61491570", "0491570"} {
		if strings.HasPrefix(d, p) {
			return true
		}
	}
	for _, area := range []string{"113", "114", "115", "116", "117", "118", "121", "131", "141", "151", "161", "191"} {
		if strings.HasPrefix(d, "0"+area+"496") || strings.HasPrefix(d, "44"+area+"496") {
			return true
		}
	}
	for _, p := range []string{"5550", "7010"} {
		for _, area := range []string{"02", "03", "07", "08"} {
			if strings.HasPrefix(d, area+p) || strings.HasPrefix(d, "61"+area[1:]+p) {
				return true
			}
		}
	}
	return false
}

// nanpDigits returns the ten digits of a North American number: written
// +1 …, or without a country code as ten digits (eleven with a leading 1)
// that do not start with a trunk 0.
func nanpDigits(val, d string) (string, bool) {
	switch {
	case strings.HasPrefix(val, "+"):
		if strings.HasPrefix(val, "+1") && len(d) == 11 {
			return d[1:], true
		}
	case d != "" && d[0] == '0':
	case len(d) == 10:
		return d, true
	case len(d) == 11 && d[0] == '1':
		return d[1:], true
	}
	return "", false
}

// validNANP reports whether ten digits can be a North American number in
// service: area code and exchange start with 2-9, the area code is not the
// unassigned 555 or a service code (N11), and the line is not in the range
// reserved for fiction, 555-0100 to 555-0199 ("(555) 123-4567",
// "123-456-7890", "212-555-0147" are examples, not numbers).
func validNANP(d string) bool {
	area, exch := d[:3], d[3:6]
	switch {
	case area[0] < '2', exch[0] < '2', area == "555", area[1:] == "11", exch[1:] == "11",
		exch == "555" && d[6:8] == "01":
		return false
	}
	return true
}

// tollFree reports North American toll-free numbers.
func tollFree(val, d string) bool {
	n, ok := nanpDigits(val, d)
	if !ok {
		return false
	}
	switch n[:3] {
	case "800", "833", "844", "855", "866", "877", "888":
		return true
	}
	return false
}

// lookalikeCues say that the number after them is an identifier of a
// thing, not of a person.
var lookalikeCues = set("part", "parts", "p/n", "pn", "sku", "order", "orders", "item", "model", "serial", "s/n",
	"catalog", "catalogue", "cat", "ticket", "case", "invoice", "inv", "ref", "reference", "tracking", "shipment",
	"confirmation", "booking", "reservation", "isbn", "issn", "ean", "upc", "version", "build", "job", "request",
	"transaction")

func set(vals ...string) map[string]bool {
	m := make(map[string]bool, len(vals))
	for _, v := range vals {
		m[v] = true
	}
	return m
}

// cueMaxWords is how far back a cue word may stand from the value it
// labels: "part number 337-19-4410", "the applicant's SSN as 529418863".
const cueMaxWords = 4

// cueWithin reports whether one of cues is among the few words before i in
// the same clause (a '#' right before the value counts as "number"). Words
// are compared in lower case without surrounding punctuation.
func cueWithin(text string, i int, cues map[string]bool) bool {
	if i > 0 && text[i-1] == '#' && cues["order"] {
		return true
	}
	j := i
	for words := 0; words < cueMaxWords && j > 0; words++ {
		for j > 0 && (text[j-1] == ' ' || text[j-1] == '\t' || text[j-1] == '#' || text[j-1] == ':') {
			j--
		}
		e := j
		for j > 0 && text[j-1] != ' ' && text[j-1] != '\t' && text[j-1] != '\n' {
			j--
		}
		raw := text[j:e]
		// A word ending a sentence belongs to the one before ("…today.
		// 412-…"); "no." and "nr." are abbreviations.
		if last := strings.TrimRight(raw, ")\"'"); last != "" && strings.ContainsRune(".;!?", rune(last[len(last)-1])) {
			if l := strings.ToLower(last); l != "no." && l != "nr." {
				return false
			}
		}
		w := strings.ToLower(strings.Trim(raw, ":#,()[]*\"'`."))
		if cues[w] {
			return true
		}
		if j == 0 || text[j-1] == '\n' {
			return false
		}
	}
	return false
}
