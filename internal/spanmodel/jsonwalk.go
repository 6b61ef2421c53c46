package spanmodel

// JSONWalkEnd is how a WalkJSONStrings walk ended.
type JSONWalkEnd uint8

const (
	// JSONWalked: the text is one JSON value and every string was given.
	JSONWalked JSONWalkEnd = iota
	// JSONStopped: visit returned false.
	JSONStopped
	// JSONInvalid: the text is not one JSON value (json.Valid is false);
	// the strings before the first byte that says so were given.
	JSONInvalid
	// JSONTooDeep: a container nests deeper than the walk's bound; the
	// strings before it were given and the text's validity is undecided.
	JSONTooDeep
)

// WalkJSONStrings reads the JSON text t once, checking the grammar
// json.Valid checks, and gives visit (when not nil) every string value in
// it in order with the key it sits under: its member's key, in an array
// the key the array sits under, at the top level "". With keys, each
// object key is given too, when it is read, under the key its object sits
// under. A string is given as encoding/json decodes it when it has escapes
// (unquote), as its bytes otherwise. Containers nest at most maxDepth
// deep. The checks read tool-call arguments this way: the strings with
// their keys, whether the text is JSON at all, and how deep it nests, in
// one pass.
func WalkJSONStrings(t string, maxDepth int, keys bool, visit func(key, s string) bool) JSONWalkEnd {
	w := jsonWalk{t: t, maxDepth: maxDepth, keys: keys}
	i, ok := w.value(visit, skipWS(t, 0), 0, "")
	switch {
	case w.end != JSONWalked:
		return w.end
	case !ok || skipWS(t, i) != len(t):
		return JSONInvalid
	}
	return JSONWalked
}

// jsonWalk is one walk's state. The visit is passed along rather than
// kept here: a func kept in a struct whose strings leak (to the visit)
// leaks with them, and the caller's closure would be allocated per walk.
type jsonWalk struct {
	t        string
	maxDepth int
	keys     bool        // give object keys too
	end      JSONWalkEnd // set by a stop or the depth bound
}

type visitFunc = func(key, s string) bool

// value reads the value at t[i] under key at nesting depth, returning the
// index after it; ok false ends the walk (invalid, unless w.end says why).
func (w *jsonWalk) value(visit visitFunc, i, depth int, key string) (int, bool) {
	t := w.t
	if i >= len(t) {
		return i, false
	}
	switch t[i] {
	case '"':
		s, j, ok := w.str(i, visit != nil)
		return j, ok && w.give(visit, key, s)
	case '{', '[':
		if depth >= w.maxDepth {
			w.end = JSONTooDeep
			return i, false
		}
		return w.container(visit, i, depth+1, key)
	}
	return skipValue(t, i, 0) // a literal or a number
}

// container reads the object or array at t[i] (its opening bracket).
func (w *jsonWalk) container(visit visitFunc, i, depth int, key string) (int, bool) {
	t := w.t
	i, closing, empty := openContainer(t, i)
	if empty {
		return i, true
	}
	for {
		k := key
		if closing == '}' { // a member: its key and colon first
			if i >= len(t) || t[i] != '"' {
				return i, false
			}
			s, j, ok := w.str(i, visit != nil)
			if !ok || w.keys && !w.give(visit, key, s) {
				return j, false
			}
			k = s
			if i, ok = memberColon(t, skipWS(t, j)); !ok {
				return i, false
			}
		}
		var ok bool
		if i, ok = w.value(visit, i, depth, k); !ok {
			return i, false
		}
		var next int
		if i, next = nextElem(t, skipWS(t, i), closing); next <= 0 {
			return i, next == 0
		}
	}
}

// str reads the string at t[i] (its opening quote): its value (with
// value) and the index after it.
func (w *jsonWalk) str(i int, value bool) (s string, j int, ok bool) {
	// Most strings of arguments are short, plain ASCII: quickStr's test
	// first, written out as skipString does (a call to quickStr, which
	// does not inline, costs the tool checks 2 %).
	if j := asciiStop(w.t, i+1); j < len(w.t) && w.t[j] == '"' {
		return w.t[i+1 : j], j + 1, true
	}
	c := jsonCursor{s: w.t, i: i}
	esc, _, ok := c.skipStr()
	if !ok || !value {
		return "", c.i, ok
	}
	s = w.t[i+1 : c.i-1]
	if esc {
		s = unquote(s)
	}
	return s, c.i, true
}

// give hands visit one string; false when visit stops the walk.
func (w *jsonWalk) give(visit visitFunc, key, s string) bool {
	if visit != nil && !visit(key, s) {
		w.end = JSONStopped
		return false
	}
	return true
}
