package sampling

import (
	"errors"
	"sync/atomic"

	"google.golang.org/protobuf/encoding/protowire"
)

// Batch is one batch of spans serialised once as OTLP protobuf (a
// TracesData message), shared by the chunks of all its traces. The main
// path serialises the batch as it is, without copying a span into a trace
// of its own (a copy allocates per attribute); the sampler's goroutine
// puts each trace's chunk together from the batch's bytes (Batch.Append).
// The whole buffer is what the handoff queue holds, so the whole buffer is
// charged to it until the last chunk of the batch is taken.
type Batch struct {
	buf []byte
	// heads are the bytes of each resource's and each scope's fields other
	// than their children (resource, scope, schema_url), in headBuf.
	headBuf []byte
	heads   []headRange
	// refs counts the chunks of the batch not yet taken or dropped, plus
	// one for the offerer while it offers.
	refs atomic.Int32
}

type headRange struct{ off, end int }

// bytes is what the batch holds while a chunk of it waits.
func (b *Batch) bytes() int64 { return int64(cap(b.buf) + cap(b.headBuf)) }

// Ref is one span of a batch: its encoded bytes (tag, length and
// message, as a ScopeSpans field), and the heads of its resource and scope.
type Ref struct {
	rs, ss   int32
	off, end int
}

// Protobuf field numbers of OTLP's TracesData, ResourceSpans and
// ScopeSpans that splitting reads.
const (
	fieldResourceSpans = 1 // TracesData.resource_spans
	fieldScopeSpans    = 2 // ResourceSpans.scope_spans
	fieldSpans         = 2 // ScopeSpans.spans
)

// errMalformed: the bytes are not a TracesData message. The main path
// serialised them itself, so this is a bug, counted as a copy error.
var errMalformed = errors.New("malformed serialised batch")

// SplitBatch reads buf, a serialised TracesData, and calls each for every
// span with where it lies, in the order of the spans in the batch that was
// serialised (resource by resource, scope by scope), which is how the
// caller knows whose span it is: no field of a span is read. The spans'
// bytes are not copied.
func SplitBatch(buf []byte, each func(Ref)) (*Batch, error) {
	b := &Batch{buf: buf}
	for off := 0; off < len(buf); {
		num, typ, n := protowire.ConsumeTag(buf[off:])
		if n < 0 {
			return nil, errMalformed
		}
		off += n
		if num != fieldResourceSpans || typ != protowire.BytesType {
			m := protowire.ConsumeFieldValue(num, typ, buf[off:])
			if m < 0 {
				return nil, errMalformed
			}
			off += m
			continue
		}
		rs, m := protowire.ConsumeBytes(buf[off:])
		if m < 0 {
			return nil, errMalformed
		}
		start := off + m - len(rs)
		if err := b.splitResource(start, start+len(rs), each); err != nil {
			return nil, err
		}
		off += m
	}
	return b, nil
}

// fields walks the fields of the message in buf[off:end], calling child
// for each field number childNum (bytes) with the bounds of its whole field
// (tag included) and of its value, and appending every other field to
// headBuf.
func (b *Batch) fields(off, end int, childNum protowire.Number, child func(fieldOff, valOff, valEnd int) error) error {
	for off < end {
		num, typ, n := protowire.ConsumeTag(b.buf[off:end])
		if n < 0 {
			return errMalformed
		}
		if num == childNum && typ == protowire.BytesType {
			v, m := protowire.ConsumeBytes(b.buf[off+n : end])
			if m < 0 {
				return errMalformed
			}
			valEnd := off + n + m
			if err := child(off, valEnd-len(v), valEnd); err != nil {
				return err
			}
			off = valEnd
			continue
		}
		m := protowire.ConsumeFieldValue(num, typ, b.buf[off+n:end])
		if m < 0 {
			return errMalformed
		}
		b.headBuf = append(b.headBuf, b.buf[off:off+n+m]...)
		off += n + m
	}
	return nil
}

func (b *Batch) newHead() int32 {
	b.heads = append(b.heads, headRange{off: len(b.headBuf), end: len(b.headBuf)})
	return int32(len(b.heads) - 1)
}

func (b *Batch) splitResource(off, end int, each func(Ref)) error {
	rs := b.newHead()
	// Scope heads are added as their scopes are met; the resource's head
	// bytes must stay contiguous, so its scopes are walked after it.
	var scopes [][2]int
	if err := b.fields(off, end, fieldScopeSpans, func(_, valOff, valEnd int) error {
		scopes = append(scopes, [2]int{valOff, valEnd})
		return nil
	}); err != nil {
		return err
	}
	b.heads[rs].end = len(b.headBuf)
	for _, sc := range scopes {
		// Spans add nothing to headBuf: they are passed on as met.
		ss := b.newHead()
		if err := b.fields(sc[0], sc[1], fieldSpans, func(fieldOff, _, valEnd int) error {
			each(Ref{rs: rs, ss: ss, off: fieldOff, end: valEnd})
			return nil
		}); err != nil {
			return err
		}
		b.heads[ss].end = len(b.headBuf)
	}
	return nil
}

// Size is the length of the TracesData Append writes for refs.
func (b *Batch) Size(refs []Ref) int {
	n := 0
	b.walk(refs, func(_ int32, rsLen int) { n += 1 + protowire.SizeVarint(uint64(rsLen)) + rsLen }, nil, nil)
	return n
}

// Append appends to dst the TracesData holding the spans refs lists (in
// order, all from b), grouped by resource and scope as in the batch.
func (b *Batch) Append(dst []byte, refs []Ref) []byte {
	b.walk(refs,
		func(rs int32, rsLen int) {
			dst = protowire.AppendTag(dst, fieldResourceSpans, protowire.BytesType)
			dst = protowire.AppendVarint(dst, uint64(rsLen))
			h := b.heads[rs]
			dst = append(dst, b.headBuf[h.off:h.end]...)
		},
		func(ss int32, ssLen int) {
			dst = protowire.AppendTag(dst, fieldScopeSpans, protowire.BytesType)
			dst = protowire.AppendVarint(dst, uint64(ssLen))
			h := b.heads[ss]
			dst = append(dst, b.headBuf[h.off:h.end]...)
		},
		func(r Ref) { dst = append(dst, b.buf[r.off:r.end]...) })
	return dst
}

// walk visits refs grouped into runs of one resource, and within them of
// one scope, with the length of each group's message.
func (b *Batch) walk(refs []Ref, resource func(int32, int), scope func(int32, int), span func(Ref)) {
	headLen := func(i int32) int { return b.heads[i].end - b.heads[i].off }
	for i := 0; i < len(refs); {
		rs := refs[i].rs
		j := i
		for j < len(refs) && refs[j].rs == rs {
			j++
		}
		rsLen := headLen(rs)
		for k := i; k < j; {
			ssLen, l := b.scopeLen(refs, k, j)
			rsLen += 1 + protowire.SizeVarint(uint64(ssLen)) + ssLen
			k = l
		}
		resource(rs, rsLen)
		if scope != nil {
			for k := i; k < j; {
				ssLen, l := b.scopeLen(refs, k, j)
				scope(refs[k].ss, ssLen)
				for ; k < l; k++ {
					span(refs[k])
				}
			}
		}
		i = j
	}
}

// scopeLen is the length of the ScopeSpans message for the run of refs
// from k (before j) sharing refs[k]'s scope, and where the run ends.
func (b *Batch) scopeLen(refs []Ref, k, j int) (int, int) {
	ss := refs[k].ss
	n := b.heads[ss].end - b.heads[ss].off
	for ; k < j && refs[k].ss == ss; k++ {
		n += refs[k].end - refs[k].off
	}
	return n, k
}
